import { type DbOrTx, pgErrorCode, schema } from '@alliance/db';
import { asc, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
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
 * Each failing check names the first offender. A full pass over every transfer.
 */
export async function verifyLedger(db: DbOrTx): Promise<VerifyResult> {
  const checks = [
    await ledgersBalance(db),
    await balancesMatchTransfers(db, emptyCheckpoint),
    await noOverdraft(db),
    await chainsHold(db, emptyCheckpoint, null),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

/** Where verification resumes: every transfer up to `lastTransferId` was verified (ADR 0009). */
interface Checkpoint {
  lastTransferId: number;
  lastTransferHash: string;
  transfers: number;
  /** False for the empty checkpoint: nothing verified yet, no ledger_checkpoint_accounts to read. */
  stored: boolean;
}

const emptyCheckpoint: Checkpoint = { lastTransferId: 0, lastTransferHash: '', transfers: 0, stored: false };

/**
 * A transfer id up to which every transfer has committed: taken under a SHARE lock on
 * ledger_transfers, which waits for the writers in flight (an id is drawn before its transaction
 * commits, so a lower id can commit after a higher one) and is released at once. Null when the
 * writers do not finish within the lock timeout: the report then verifies without a new checkpoint.
 */
export async function ledgerCut(db: DbOrTx): Promise<number | null> {
  const take = async (tx: DbOrTx) => {
    await tx.execute(sql`set local lock_timeout = '500ms'`);
    await tx.execute(sql`lock table ledger_transfers in share mode`);
    const [row] = await query<{ id: string | number }>(tx, sql`select coalesce(max(id), 0) as id from ledger_transfers`);
    return Number(row?.id ?? 0);
  };
  try {
    return await db.transaction(take);
  } catch (error) {
    if (pgErrorCode(error) === '55P03') return null;
    throw error;
  }
}

/**
 * Serialises checkpointed verifications and must be the first statement of their transaction,
 * which is REPEATABLE READ: its snapshot, taken after the lock, sees the latest checkpoint, and
 * every query of the verification (and of the report around it) sees the same transfers.
 */
export async function lockLedgerCheckpoints(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`lock table ledger_checkpoints in share row exclusive mode`);
}

/**
 * verifyLedger's four checks from the latest checkpoint on (the nightly report's form, ADR 0009):
 * balance columns against the checkpoint's sums plus the transfers since, the chains of the
 * transfers since from the checkpoint's heads, and the cheap check that the checkpointed past is
 * intact (its last transfer keeps its hash, the count up to it is unchanged). Without a checkpoint
 * it is a full pass. When every check holds and `cut` (ledgerCut) is past the checkpoint, writes
 * the next checkpoint at `cut`. Run after lockLedgerCheckpoints, in the same transaction.
 */
export async function verifyLedgerSinceCheckpoint(tx: DbOrTx, cut: number | null): Promise<VerifyResult> {
  const c = schema.ledgerCheckpoints;
  const [latest] = await tx.select().from(c).orderBy(desc(c.id)).limit(1);
  const from: Checkpoint = latest ? { ...latest, stored: true } : emptyCheckpoint;
  const headsAtCut = new Map<number, string>();
  const checks = [
    await ledgersBalance(tx),
    await balancesMatchTransfers(tx, from),
    await noOverdraft(tx),
    (await checkpointIntact(tx, from)) ?? (await chainsHold(tx, from, { cut: cut ?? 0, heads: headsAtCut })),
  ];
  const ok = checks.every((check) => check.ok);
  if (ok && cut !== null && cut > from.lastTransferId) await writeCheckpoint(tx, from, cut, headsAtCut);
  return { ok, checks };
}

/** A failed hash_chain check when the checkpointed past was changed; null when it is intact. */
async function checkpointIntact(db: DbOrTx, from: Checkpoint): Promise<VerifyCheck | null> {
  if (!from.stored) return null;
  const [row] = await query<{ transfers: string | number; hash: string | null }>(
    db,
    sql`select (select count(*) from ledger_transfers where id <= ${from.lastTransferId}) as transfers,
          (select hash from ledger_transfers where id = ${from.lastTransferId}) as hash`,
  );
  const transfers = Number(row?.transfers ?? 0);
  if (row?.hash === from.lastTransferHash && transfers === from.transfers) return null;
  return broken(
    `the checkpoint says ${from.transfers} transfers up to ${from.lastTransferId} ending in hash ${from.lastTransferHash.slice(0, 12)}, the table has ${transfers} ending in ${(row?.hash ?? 'none').slice(0, 12)}`,
    from.lastTransferId,
    null,
  );
}

/** Stores the checkpoint at `cut`: the previous one's sums plus the transfers up to `cut`. */
async function writeCheckpoint(tx: DbOrTx, from: Checkpoint, cut: number, heads: Map<number, string>) {
  const ids = [...heads.keys()];
  await tx.execute(
    sql`with s as (${transferSums(from.lastTransferId, cut)}),
          h as (select * from unnest(${pgArray(ids, 'bigint')}, ${pgArray([...heads.values()], 'text')}) as h(id, head))
        insert into ledger_checkpoint_accounts
          (account_id, debits_pending, debits_posted, credits_pending, credits_posted, head_hash)
        select h.id, coalesce(c.debits_pending, 0) + coalesce(s.dpend, 0), coalesce(c.debits_posted, 0) + coalesce(s.dpost, 0),
          coalesce(c.credits_pending, 0) + coalesce(s.cpend, 0), coalesce(c.credits_posted, 0) + coalesce(s.cpost, 0), h.head
        from h left join s on s.id = h.id left join ledger_checkpoint_accounts c on c.account_id = h.id
        on conflict (account_id) do update set debits_pending = excluded.debits_pending,
          debits_posted = excluded.debits_posted, credits_pending = excluded.credits_pending,
          credits_posted = excluded.credits_posted, head_hash = excluded.head_hash`,
  );
  await tx.execute(
    sql`insert into ledger_checkpoints (last_transfer_id, last_transfer_hash, transfers)
        select ${cut}, t.hash, ${from.transfers}
          + (select count(*) from ledger_transfers where id > ${from.lastTransferId} and id <= ${cut})
        from ledger_transfers t where t.id = ${cut}`,
  );
}

/** An array parameter both drivers pass as one value. */
function pgArray(values: ReadonlyArray<number | string>, type: 'bigint' | 'text'): SQL {
  return sql`${`{${values.map((v) => (type === 'text' ? `"${v}"` : v)).join(',')}}`}::${sql.raw(type)}[]`;
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

/**
 * Per account, the four balance columns' sums over the transfers with ids in (after, upTo] (no
 * upTo: all): a post or void releases what its pending reserved. Columns id, dpost, dpend, cpost, cpend.
 */
function transferSums(after: number, upTo: number | null): SQL {
  return sql`with t as (
          select t.debit_account_id, t.credit_account_id,
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount when t.type in ('post', 'void') then -p.amount else 0 end as pending
          from ledger_transfers t left join ledger_transfers p on p.id = t.pending_id
          where t.id > ${after} ${upTo === null ? sql`` : sql`and t.id <= ${upTo}`}
        ), e as (
          select debit_account_id as id, posted as dpost, pending as dpend, 0 as cpost, 0 as cpend from t
          union all
          select credit_account_id, 0, 0, posted, pending from t
        )
        select id, sum(dpost) as dpost, sum(dpend) as dpend, sum(cpost) as cpost, sum(cpend) as cpend from e group by id`;
}

/** Each account's columns against the checkpoint's sums (none: zero) plus its transfers since. */
async function balancesMatchTransfers(db: DbOrTx, from: Checkpoint): Promise<VerifyCheck> {
  const base = from.stored
    ? sql`select account_id as id, debits_posted as dpost, debits_pending as dpend, credits_posted as cpost, credits_pending as cpend
          from ledger_checkpoint_accounts`
    : sql`select null::bigint as id, 0 as dpost, 0 as dpend, 0 as cpost, 0 as cpend where false`;
  const rows = await query<Record<string, string | number>>(
    db,
    sql`with c as (${base}), s as (${transferSums(from.lastTransferId, null)}),
        x as (
          select a.id, a.debits_posted, a.debits_pending, a.credits_posted, a.credits_pending,
            coalesce(c.dpost, 0) + coalesce(s.dpost, 0) as dpost, coalesce(c.dpend, 0) + coalesce(s.dpend, 0) as dpend,
            coalesce(c.cpost, 0) + coalesce(s.cpost, 0) as cpost, coalesce(c.cpend, 0) + coalesce(s.cpend, 0) as cpend
          from ledger_accounts a left join c on c.id = a.id left join s on s.id = a.id
        )
        select * from x
        where debits_posted <> dpost or debits_pending <> dpend or credits_posted <> cpost or credits_pending <> cpend
        order by id limit 1`,
  );
  const bad = rows[0];
  return {
    name: 'balances_match_transfers',
    ok: !bad,
    detail: bad
      ? `account ${bad.id}: columns debits ${bad.debits_posted}/${bad.debits_pending} credits ${bad.credits_posted}/${bad.credits_pending} (posted/pending), transfers say ${bad.dpost}/${bad.dpend} and ${bad.cpost}/${bad.cpend}`
      : from.stored
        ? `every account balance equals its transfers (checkpoint at transfer ${from.lastTransferId} and the transfers since)`
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

/**
 * Replays the chains of the transfers after `from` in transfer-id order (the order each account's
 * row lock imposed), each account starting at its checkpointed head, then compares every account's
 * head column with its replayed head (or, untouched since, its checkpointed head). `atCut` collects
 * each account's head as of its last transfer up to `atCut.cut`, for the next checkpoint.
 */
async function chainsHold(
  db: DbOrTx,
  from: Checkpoint,
  atCut: { cut: number; heads: Map<number, string> } | null,
): Promise<VerifyCheck> {
  const t = schema.ledgerTransfers;
  const x = schema.ledgerTransactions;
  const heads = new Map<number, string>();
  if (from.stored) {
    const rows = await query<{ account_id: string | number; head_hash: string }>(
      db,
      sql`select account_id, head_hash from ledger_checkpoint_accounts where account_id in (
            select debit_account_id from ledger_transfers where id > ${from.lastTransferId}
            union select credit_account_id from ledger_transfers where id > ${from.lastTransferId})`,
    );
    for (const row of rows) heads.set(Number(row.account_id), row.head_hash);
  }
  let after = from.lastTransferId;
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
      if (atCut && transfer.id <= atCut.cut) {
        atCut.heads.set(transfer.debitAccountId, hash);
        atCut.heads.set(transfer.creditAccountId, hash);
      }
      count++;
    }
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) break;
    after = last.transfer.id;
  }
  // Heads in the database: the replayed one, else the checkpointed one, else none ('').
  const [bad] = await query<{ id: string | number }>(
    db,
    sql`select a.id from ledger_accounts a
          left join unnest(${pgArray([...heads.keys()], 'bigint')}, ${pgArray([...heads.values()], 'text')}) as h(id, head) on h.id = a.id
          ${from.stored ? sql`left join ledger_checkpoint_accounts c on c.account_id = a.id` : sql``}
        where a.head_hash <> coalesce(h.head, ${from.stored ? sql`c.head_hash, ` : sql``}'')
        order by a.id limit 1`,
  );
  if (bad) return broken(`account ${bad.id}'s head is not its last transfer's hash`, null, Number(bad.id));
  return {
    name: 'hash_chain',
    ok: true,
    detail: from.stored
      ? `${count} transfers chained since the checkpoint at transfer ${from.lastTransferId}`
      : `${count} transfers chained`,
  };
}

function broken(what: string, transferId: number | null, accountId: number | null): VerifyCheck {
  return {
    name: 'hash_chain',
    ok: false,
    detail: `first broken link: transfer ${transferId ?? '-'}, account ${accountId ?? '-'}: ${what}`,
  };
}
