import { type DbOrTx, pgErrorCode, schema } from '@alliance/db';
import { desc, type SQL, sql } from 'drizzle-orm';
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

/**
 * Checks every invariant of the ledger: each ledger sums to zero, each account's balance columns
 * equal its transfers, no noOverdraft account is below zero, and every account's hash chain holds.
 * Each failing check names the first offender. A full pass over every transfer.
 */
export async function verifyLedger(db: DbOrTx): Promise<VerifyResult> {
  return verifyFrom(db, emptyCheckpoint);
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
    const [row] = await query<{ id: string | number }>(
      tx,
      sql`select coalesce(max(id), 0) as id from ledger_transfers`,
    );
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
  const result = await verifyFrom(tx, from);
  if (result.ok && cut !== null && cut > from.lastTransferId) await writeCheckpoint(tx, from, cut);
  return result;
}

/**
 * The chains of the transfers after `from`, then one pass over the accounts for the rest: each
 * ledger's sum, each account's columns against `from`'s sums plus its transfers since, the
 * overdraft flags, and each head against its last transfer's hash (or its checkpointed head).
 */
async function verifyFrom(db: DbOrTx, from: Checkpoint): Promise<VerifyResult> {
  const chain = (await checkpointIntact(db, from)) ?? (await chainsHold(db, from));
  // One streaming pass, grouped by ledger: each check keeps only the first offending account id
  // (wide rows materialised for several passes would spill to disk); details are read after.
  const rows = await query<{
    ledger: string;
    posted: string;
    pending: string;
    balance: string | number | null;
    overdraft: string | number | null;
    head: string | number | null;
  }>(
    db,
    sql`select ledger, sum(credits_posted - debits_posted)::text as posted,
          sum(credits_pending - debits_pending)::text as pending,
          min(id) filter (where debits_posted <> dpost or debits_pending <> dpend
            or credits_posted <> cpost or credits_pending <> cpend) as balance,
          min(id) filter (where no_overdraft and debits_posted + debits_pending > credits_posted) as overdraft,
          min(id) filter (where head_hash <> expected_head) as head
        from (${accountsAgainst(from, sql``)}) x group by ledger order by ledger`,
  );
  const first = (pick: (r: (typeof rows)[number]) => string | number | null) =>
    rows
      .map(pick)
      .reduce<number | null>(
        (m, v) => (v === null ? m : m === null ? Number(v) : Math.min(m, Number(v))),
        null,
      );
  const unbalanced = rows.find((l) => BigInt(l.posted) !== 0n || BigInt(l.pending) !== 0n);
  const badId = first((r) => r.balance);
  const overdrawnId = first((r) => r.overdraft);
  const badHead = first((r) => r.head);
  const [bad] =
    badId === null
      ? []
      : await query<Record<string, string | number>>(
          db,
          sql`select * from (${accountsAgainst(from, sql`where a.id = ${badId}`)}) x`,
        );
  const [overdrawn] =
    overdrawnId === null
      ? []
      : await query<{ id: string | number; available: string | number }>(
          db,
          sql`select id, credits_posted - debits_posted - debits_pending as available from ledger_accounts where id = ${overdrawnId}`,
        );
  const checks: VerifyCheck[] = [
    {
      name: 'ledgers_balance',
      ok: !unbalanced,
      detail: unbalanced
        ? `ledger ${unbalanced.ledger} sums to ${unbalanced.posted} posted, ${unbalanced.pending} pending (expected 0)`
        : `${rows.length} ledgers sum to zero`,
    },
    {
      name: 'balances_match_transfers',
      ok: !bad,
      detail: bad
        ? `account ${bad.id}: columns debits ${bad.debits_posted}/${bad.debits_pending} credits ${bad.credits_posted}/${bad.credits_pending} (posted/pending), transfers say ${bad.dpost}/${bad.dpend} and ${bad.cpost}/${bad.cpend}`
        : from.stored
          ? `every account balance equals its transfers (checkpoint at transfer ${from.lastTransferId} and the transfers since)`
          : 'every account balance equals its transfers',
    },
    {
      name: 'no_overdraft',
      ok: !overdrawn,
      detail: overdrawn
        ? `account ${overdrawn.id} is at ${overdrawn.available}`
        : 'no noOverdraft account is below zero',
    },
    chain.ok && badHead !== null
      ? broken(`account ${badHead}'s head is not its last transfer's hash`, null, badHead)
      : chain,
  ];
  return { ok: checks.every((check) => check.ok), checks };
}

/**
 * Each account's columns and head beside what `from` and its transfers since say they should be
 * (dpost, dpend, cpost, cpend, expected_head); `where` narrows the accounts.
 */
function accountsAgainst(from: Checkpoint, where: SQL): SQL {
  const base = from.stored
    ? sql`select account_id as id, debits_posted as dpost, debits_pending as dpend, credits_posted as cpost,
            credits_pending as cpend, head_hash as head from ledger_checkpoint_accounts`
    : sql`select null::bigint as id, 0 as dpost, 0 as dpend, 0 as cpost, 0 as cpend, ''::text as head where false`;
  return sql`with c as (${base}), s as (${transferSums(from.lastTransferId, null)})
    select a.id, a.ledger, a.debits_must_not_exceed_credits as no_overdraft, a.head_hash,
      a.debits_posted, a.debits_pending, a.credits_posted, a.credits_pending,
      coalesce(c.dpost, 0) + coalesce(s.dpost, 0) as dpost, coalesce(c.dpend, 0) + coalesce(s.dpend, 0) as dpend,
      coalesce(c.cpost, 0) + coalesce(s.cpost, 0) as cpost, coalesce(c.cpend, 0) + coalesce(s.cpend, 0) as cpend,
      coalesce(s.head, c.head, '') as expected_head
    from ledger_accounts a left join c on c.id = a.id left join s on s.id = a.id ${where}`;
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

/**
 * The hash chains of the transfers after `from`: each transfer's hash recomputed from its row
 * (transferHashInput's canonical JSON, built in SQL: to_json quotes and escapes strings as
 * JSON.stringify does, integers print the same, times are whole milliseconds), and each side's
 * previous link equal to the hash of the account's transfer before it in id order (the order its
 * row lock imposed), or for its first one since `from`, its checkpointed head. Names the first
 * broken link in id order, as a replay would.
 */
async function chainsHold(db: DbOrTx, from: Checkpoint): Promise<VerifyCheck> {
  const ms = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)::bigint::text`;
  const [row] = await query<{
    transfers: string | number;
    bad_hash: string | number | null;
    link_id: string | number | null;
    link_account: string | number | null;
  }>(
    db,
    sql`with t as materialized (
          select t.id, t.debit_account_id, t.credit_account_id, t.debit_prev_hash, t.credit_prev_hash, t.hash,
            encode(sha256(convert_to(concat_ws(',', '[' || to_json(x.key)::text, to_json(t.ledger)::text,
              t.debit_account_id::text, t.credit_account_id::text, t.amount::text, to_json(t.type)::text,
              coalesce(t.pending_id::text, 'null'), coalesce(${ms(sql`t.timeout_at`)}, 'null'),
              t.debit_balance_after::text, t.credit_balance_after::text, ${ms(sql`t.created_at`)},
              to_json(t.debit_prev_hash)::text, to_json(t.credit_prev_hash)::text || ']'), 'UTF8')), 'hex') as computed
          from ledger_transfers t join ledger_transactions x on x.id = t.transaction_id
          where t.id > ${from.lastTransferId}
        ), e as (
          select id, debit_account_id as account_id, 0 as side, debit_prev_hash as prev, hash from t
          union all
          select id, credit_account_id, 1, credit_prev_hash, hash from t
        ), l as (
          select id, account_id, side, prev, lag(hash) over (partition by account_id order by id) as before from e
        ), bad_link as (
          select l.id, l.account_id from l
          ${from.stored ? sql`left join ledger_checkpoint_accounts c on c.account_id = l.account_id` : sql``}
          where l.prev <> coalesce(l.before, ${from.stored ? sql`c.head_hash, ` : sql``}'')
          order by l.id, l.side limit 1
        )
        select (select count(*) from t) as transfers, (select min(id) from t where computed <> hash) as bad_hash,
          (select id from bad_link) as link_id, (select account_id from bad_link) as link_account`,
  );
  const badHash = row?.bad_hash === null || row?.bad_hash === undefined ? null : Number(row.bad_hash);
  const linkId = row?.link_id === null || row?.link_id === undefined ? null : Number(row.link_id);
  if (linkId !== null && (badHash === null || linkId <= badHash)) {
    const accountId = Number(row?.link_account);
    return broken(
      `transfer ${linkId} does not follow account ${accountId}'s previous link`,
      linkId,
      accountId,
    );
  }
  if (badHash !== null) {
    const [t] = await query<{ debit_account_id: string | number }>(
      db,
      sql`select debit_account_id from ledger_transfers where id = ${badHash}`,
    );
    return broken(`transfer ${badHash} does not match its hash`, badHash, Number(t?.debit_account_id));
  }
  const count = Number(row?.transfers ?? 0);
  return {
    name: 'hash_chain',
    ok: true,
    detail: from.stored
      ? `${count} transfers chained since the checkpoint at transfer ${from.lastTransferId}`
      : `${count} transfers chained`,
  };
}

/** Stores the checkpoint at `cut`: the previous one's sums plus the transfers up to `cut`, and their heads. */
async function writeCheckpoint(tx: DbOrTx, from: Checkpoint, cut: number) {
  await tx.execute(
    sql`with s as (${transferSums(from.lastTransferId, cut)})
        insert into ledger_checkpoint_accounts
          (account_id, debits_pending, debits_posted, credits_pending, credits_posted, head_hash)
        select s.id, coalesce(c.debits_pending, 0) + s.dpend, coalesce(c.debits_posted, 0) + s.dpost,
          coalesce(c.credits_pending, 0) + s.cpend, coalesce(c.credits_posted, 0) + s.cpost, s.head
        from s left join ledger_checkpoint_accounts c on c.account_id = s.id
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

/**
 * Per account, the four balance columns' sums over the transfers with ids in (after, upTo] (no
 * upTo: all), a post or void releasing what its pending reserved, and the hash of its last one
 * (its head). Columns id, dpost, dpend, cpost, cpend, head.
 */
function transferSums(after: number, upTo: number | null): SQL {
  return sql`with t as (
          select t.id, t.debit_account_id, t.credit_account_id, t.hash,
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount
              when t.type in ('post', 'void') then -(select p.amount from ledger_transfers p where p.id = t.pending_id)
              else 0 end as pending
          from ledger_transfers t
          where t.id > ${after} ${upTo === null ? sql`` : sql`and t.id <= ${upTo}`}
        ), e as (
          select debit_account_id as id, t.id as transfer_id, hash, posted as dpost, pending as dpend, 0 as cpost, 0 as cpend from t
          union all
          select credit_account_id, t.id, hash, 0, 0, posted, pending from t
        )
        select id, sum(dpost) as dpost, sum(dpend) as dpend, sum(cpost) as cpost, sum(cpend) as cpend,
          (array_agg(hash order by transfer_id desc))[1] as head
        from e group by id`;
}

function broken(what: string, transferId: number | null, accountId: number | null): VerifyCheck {
  return {
    name: 'hash_chain',
    ok: false,
    detail: `first broken link: transfer ${transferId ?? '-'}, account ${accountId ?? '-'}: ${what}`,
  };
}
