import { type DbOrTx, pgErrorCode, schema } from '@alliance/db';
import { desc, type SQL, sql } from 'drizzle-orm';
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

const pageSize = 20_000;

/**
 * Checks every invariant of the ledger: each ledger sums to zero, each account's balance columns
 * equal its transfers, no noOverdraft account is below zero, and every account's hash chain holds.
 * Each failing check names the first offender. A full pass over every transfer.
 */
export async function verifyLedger(db: DbOrTx): Promise<VerifyResult> {
  return verifyFrom(db, emptyCheckpoint, null);
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
  const atCut = cut !== null && cut > from.lastTransferId ? { cut, heads: new Map<number, string>() } : null;
  const result = await verifyFrom(tx, from, atCut);
  if (result.ok && atCut) await writeCheckpoint(tx, from, atCut.cut, atCut.heads);
  return result;
}

/**
 * The replay of the chains after `from`, then one pass over the accounts for the rest: each
 * ledger's sum, each account's columns against `from`'s sums plus its transfers since, the
 * overdraft flags, and each head against its replayed (or checkpointed) one.
 */
async function verifyFrom(
  db: DbOrTx,
  from: Checkpoint,
  atCut: { cut: number; heads: Map<number, string> } | null,
): Promise<VerifyResult> {
  const chain = (await checkpointIntact(db, from)) ?? (await replayChains(db, from, atCut));
  const heads = 'heads' in chain ? chain.heads : new Map<number, string>();
  const base = from.stored
    ? sql`select account_id as id, debits_posted as dpost, debits_pending as dpend, credits_posted as cpost,
            credits_pending as cpend, head_hash as head from ledger_checkpoint_accounts`
    : sql`select null::bigint as id, 0 as dpost, 0 as dpend, 0 as cpost, 0 as cpend, ''::text as head where false`;
  // Materialised, so that each check below reads the joined accounts once (with LIMIT alone the
  // planner would rather loop over the replayed heads per account).
  const [row] = await query<{
    ledgers: Array<{ ledger: string; posted: string; pending: string }> | string | null;
    balance: Record<string, string> | string | null;
    overdraft: { id: string; available: string } | string | null;
    head: string | number | null;
  }>(
    db,
    sql`with c as (${base}), s as (${transferSums(from.lastTransferId, null)}),
        h as (select * from unnest(${pgArray([...heads.keys()], 'bigint')}, ${pgArray([...heads.values()], 'text')}) as h(id, head)),
        x as materialized (
          select a.id, a.ledger, a.debits_must_not_exceed_credits as no_overdraft, a.head_hash,
            a.debits_posted, a.debits_pending, a.credits_posted, a.credits_pending,
            coalesce(c.dpost, 0) + coalesce(s.dpost, 0) as dpost, coalesce(c.dpend, 0) + coalesce(s.dpend, 0) as dpend,
            coalesce(c.cpost, 0) + coalesce(s.cpost, 0) as cpost, coalesce(c.cpend, 0) + coalesce(s.cpend, 0) as cpend,
            coalesce(h.head, c.head, '') as expected_head
          from ledger_accounts a left join c on c.id = a.id left join s on s.id = a.id left join h on h.id = a.id
        )
        select
          (select json_agg(l order by l.ledger) from (
            select ledger, sum(credits_posted - debits_posted)::text as posted, sum(credits_pending - debits_pending)::text as pending
            from x group by ledger) l) as ledgers,
          (select to_json(b) from (
            select id::text, debits_posted::text, debits_pending::text, credits_posted::text, credits_pending::text,
              dpost::text, dpend::text, cpost::text, cpend::text
            from x where debits_posted <> dpost or debits_pending <> dpend or credits_posted <> cpost or credits_pending <> cpend
            order by x.id limit 1) b) as balance,
          (select to_json(o) from (
            select id::text, (credits_posted - debits_posted - debits_pending)::text as available from x
            where no_overdraft and debits_posted + debits_pending > credits_posted order by x.id limit 1) o) as overdraft,
          (select min(id) from x where head_hash <> expected_head) as head`,
  );
  const json = <T>(value: T | string | null | undefined): T | null =>
    typeof value === 'string' ? (JSON.parse(value) as T) : (value ?? null);
  const ledgers = json(row?.ledgers) ?? [];
  const unbalanced = ledgers.find((l) => BigInt(l.posted) !== 0n || BigInt(l.pending) !== 0n);
  const bad = json(row?.balance);
  const overdrawn = json(row?.overdraft);
  const checks: VerifyCheck[] = [
    {
      name: 'ledgers_balance',
      ok: !unbalanced,
      detail: unbalanced
        ? `ledger ${unbalanced.ledger} sums to ${unbalanced.posted} posted, ${unbalanced.pending} pending (expected 0)`
        : `${ledgers.length} ledgers sum to zero`,
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
    'heads' in chain
      ? row?.head !== null && row?.head !== undefined
        ? broken(`account ${row.head}'s head is not its last transfer's hash`, null, Number(row.head))
        : chain.check
      : chain,
  ];
  return { ok: checks.every((check) => check.ok), checks };
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
 * Replays the chains of the transfers after `from` in transfer-id order (the order each account's
 * row lock imposed), each account starting at its checkpointed head. Returns the first broken link,
 * or the check passed so far with each account's replayed head (compared with the head columns by
 * the caller). `atCut` collects each account's head as of its last transfer up to `atCut.cut`.
 */
async function replayChains(
  db: DbOrTx,
  from: Checkpoint,
  atCut: { cut: number; heads: Map<number, string> } | null,
): Promise<VerifyCheck | { check: VerifyCheck; heads: Map<number, string> }> {
  const heads = new Map<number, string>();
  // An account's link before its first transfer since the checkpoint is its checkpointed head.
  const startOf = from.stored
    ? sql`(select head_hash from ledger_checkpoint_accounts where account_id = t.debit_account_id) as debit_start,
          (select head_hash from ledger_checkpoint_accounts where account_id = t.credit_account_id) as credit_start`
    : sql`null as debit_start, null as credit_start`;
  let after = from.lastTransferId;
  let count = 0;
  for (;;) {
    const page = await query<TransferRow>(
      db,
      sql`select t.id, x.key, t.ledger, t.debit_account_id, t.credit_account_id, t.amount, t.type, t.pending_id,
            t.timeout_at, t.debit_balance_after, t.credit_balance_after, t.created_at, t.debit_prev_hash,
            t.credit_prev_hash, t.hash, ${startOf}
          from ledger_transfers t join ledger_transactions x on x.id = t.transaction_id
          where t.id > ${after} order by t.id limit ${pageSize}`,
    );
    for (const row of page) {
      const transfer = transferOf(row);
      for (const [accountId, prev, start] of [
        [transfer.debitAccountId, transfer.debitPrevHash, row.debit_start],
        [transfer.creditAccountId, transfer.creditPrevHash, row.credit_start],
      ] as const) {
        if ((heads.get(accountId) ?? start ?? '') !== prev) {
          return broken(
            `transfer ${transfer.id} does not follow account ${accountId}'s previous link`,
            transfer.id,
            accountId,
          );
        }
      }
      const hash = sha256(transferHashInput(transfer));
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
    if (page.length < pageSize) break;
    after = Number(page[page.length - 1]?.id);
  }
  return {
    heads,
    check: {
      name: 'hash_chain',
      ok: true,
      detail: from.stored
        ? `${count} transfers chained since the checkpoint at transfer ${from.lastTransferId}`
        : `${count} transfers chained`,
    },
  };
}

/** A transfer row as the raw query returns it (both drivers: numbers or strings, dates or strings). */
interface TransferRow {
  id: string | number;
  key: string;
  ledger: string;
  debit_account_id: string | number;
  credit_account_id: string | number;
  amount: string | number;
  type: string;
  pending_id: string | number | null;
  timeout_at: string | Date | null;
  debit_balance_after: string | number;
  credit_balance_after: string | number;
  created_at: string | Date;
  debit_prev_hash: string;
  credit_prev_hash: string;
  hash: string;
  debit_start: string | null;
  credit_start: string | null;
}

const dateOf = (value: string | Date) => (value instanceof Date ? value : new Date(value));

function transferOf(row: TransferRow) {
  return {
    id: Number(row.id),
    key: row.key,
    ledger: row.ledger,
    debitAccountId: Number(row.debit_account_id),
    creditAccountId: Number(row.credit_account_id),
    amount: Number(row.amount),
    type: row.type,
    pendingId: row.pending_id === null ? null : Number(row.pending_id),
    timeoutAt: row.timeout_at === null ? null : dateOf(row.timeout_at),
    debitBalanceAfter: Number(row.debit_balance_after),
    creditBalanceAfter: Number(row.credit_balance_after),
    createdAt: dateOf(row.created_at),
    debitPrevHash: row.debit_prev_hash,
    creditPrevHash: row.credit_prev_hash,
    hash: row.hash,
  };
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

/**
 * Per account, the four balance columns' sums over the transfers with ids in (after, upTo] (no
 * upTo: all): a post or void releases what its pending reserved. Columns id, dpost, dpend, cpost, cpend.
 */
function transferSums(after: number, upTo: number | null): SQL {
  return sql`with t as (
          select t.debit_account_id, t.credit_account_id,
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount
              when t.type in ('post', 'void') then -(select p.amount from ledger_transfers p where p.id = t.pending_id)
              else 0 end as pending
          from ledger_transfers t
          where t.id > ${after} ${upTo === null ? sql`` : sql`and t.id <= ${upTo}`}
        ), e as (
          select debit_account_id as id, posted as dpost, pending as dpend, 0 as cpost, 0 as cpend from t
          union all
          select credit_account_id, 0, 0, posted, pending from t
        )
        select id, sum(dpost) as dpost, sum(dpend) as dpend, sum(cpost) as cpost, sum(cpend) as cpend from e group by id`;
}

function broken(what: string, transferId: number | null, accountId: number | null): VerifyCheck {
  return {
    name: 'hash_chain',
    ok: false,
    detail: `first broken link: transfer ${transferId ?? '-'}, account ${accountId ?? '-'}: ${what}`,
  };
}
