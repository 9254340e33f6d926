import { type DbOrTx, schema } from '@alliance/db';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { sha256, transferHashInput } from './post';
import { query } from './sql';

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: VerifyCheck[];
}

const pageSize = 5000;

/**
 * Checks every invariant of the ledger: each ledger sums to zero, each account's balance columns
 * equal its transfers, no noOverdraft account is below zero, and every account's hash chain holds.
 * Each failing check names the first offender.
 */
export async function verifyLedger(db: DbOrTx): Promise<VerifyResult> {
  const checks = [
    await ledgersBalance(db),
    await balancesMatchTransfers(db),
    await noOverdraft(db),
    await chainsHold(db),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

async function ledgersBalance(db: DbOrTx): Promise<VerifyCheck> {
  const rows = await query<{ ledger: string; posted: string | number; pending: string | number }>(
    db,
    sql`select ledger, sum(credits_posted - debits_posted) as posted, sum(credits_pending - debits_pending) as pending
        from ledger_accounts group by ledger order by ledger`,
  );
  // SQL sums bigint columns as numeric (exact); compared as BigInt, never rounded through a double.
  const bad = rows.find((r) => BigInt(r.posted ?? 0) !== 0n || BigInt(r.pending ?? 0) !== 0n);
  return {
    name: 'ledgers_balance',
    ok: !bad,
    detail: bad
      ? `ledger ${bad.ledger} sums to ${bad.posted} posted, ${bad.pending} pending (expected 0)`
      : `${rows.length} ledgers sum to zero`,
  };
}

async function balancesMatchTransfers(db: DbOrTx): Promise<VerifyCheck> {
  // Each transfer's effect on its two accounts; a post or void releases what its pending reserved.
  const rows = await query<Record<string, string | number>>(
    db,
    sql`with t as (
          select t.debit_account_id, t.credit_account_id, t.type,
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount when t.type in ('post', 'void') then -p.amount else 0 end as pending
          from ledger_transfers t left join ledger_transfers p on p.id = t.pending_id
        ), e as (
          select debit_account_id as id, posted as dpost, pending as dpend, 0 as cpost, 0 as cpend from t
          union all
          select credit_account_id, 0, 0, posted, pending from t
        ), s as (
          select id, sum(dpost) as dpost, sum(dpend) as dpend, sum(cpost) as cpost, sum(cpend) as cpend from e group by id
        )
        select a.id, a.debits_posted, a.debits_pending, a.credits_posted, a.credits_pending,
          coalesce(s.dpost, 0) as dpost, coalesce(s.dpend, 0) as dpend, coalesce(s.cpost, 0) as cpost, coalesce(s.cpend, 0) as cpend,
          (select count(*) from ledger_accounts) as accounts
        from ledger_accounts a left join s on s.id = a.id
        where a.debits_posted <> coalesce(s.dpost, 0) or a.debits_pending <> coalesce(s.dpend, 0)
          or a.credits_posted <> coalesce(s.cpost, 0) or a.credits_pending <> coalesce(s.cpend, 0)
        order by a.id limit 1`,
  );
  const bad = rows[0];
  return {
    name: 'balances_match_transfers',
    ok: !bad,
    detail: bad
      ? `account ${bad.id}: columns debits ${bad.debits_posted}/${bad.debits_pending} credits ${bad.credits_posted}/${bad.credits_pending} (posted/pending), transfers say ${bad.dpost}/${bad.dpend} and ${bad.cpost}/${bad.cpend}`
      : 'every account balance equals its transfers',
  };
}

async function noOverdraft(db: DbOrTx): Promise<VerifyCheck> {
  const rows = await query<Record<string, string | number>>(
    db,
    sql`select id, credits_posted - debits_posted - debits_pending as available from ledger_accounts
        where debits_must_not_exceed_credits and debits_posted + debits_pending > credits_posted order by id limit 1`,
  );
  const bad = rows[0];
  return {
    name: 'no_overdraft',
    ok: !bad,
    detail: bad ? `account ${bad.id} is at ${bad.available}` : 'no noOverdraft account is below zero',
  };
}

/** Replays every account's chain in transfer-id order (the order its row lock imposed). */
async function chainsHold(db: DbOrTx): Promise<VerifyCheck> {
  const t = schema.ledgerTransfers;
  const x = schema.ledgerTransactions;
  const heads = new Map<number, string>();
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await db
      .select({ transfer: t, key: x.key })
      .from(t)
      .innerJoin(x, eq(x.id, t.transactionId))
      .where(gt(t.id, after))
      .orderBy(asc(t.id))
      .limit(pageSize);
    for (const { transfer, key } of page) {
      for (const [accountId, prev] of [
        [transfer.debitAccountId, transfer.debitPrevHash],
        [transfer.creditAccountId, transfer.creditPrevHash],
      ] as const) {
        if ((heads.get(accountId) ?? '') !== prev) {
          return broken(
            `transfer ${transfer.id} does not follow account ${accountId}'s previous link`,
            transfer.id,
            accountId,
          );
        }
      }
      const hash = sha256(transferHashInput({ ...transfer, key }));
      if (hash !== transfer.hash) {
        return broken(
          `transfer ${transfer.id} does not match its hash`,
          transfer.id,
          transfer.debitAccountId,
        );
      }
      heads.set(transfer.debitAccountId, hash);
      heads.set(transfer.creditAccountId, hash);
      count++;
    }
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) break;
    after = last.transfer.id;
  }
  const a = schema.ledgerAccounts;
  for (const account of await db.select({ id: a.id, head: a.headHash }).from(a).orderBy(asc(a.id))) {
    if ((heads.get(account.id) ?? '') !== account.head) {
      return broken(`account ${account.id}'s head is not its last transfer's hash`, null, account.id);
    }
  }
  return { name: 'hash_chain', ok: true, detail: `${count} transfers chained` };
}

function broken(what: string, transferId: number | null, accountId: number): VerifyCheck {
  return {
    name: 'hash_chain',
    ok: false,
    detail: `first broken link: transfer ${transferId ?? '-'}, account ${accountId}: ${what}`,
  };
}
