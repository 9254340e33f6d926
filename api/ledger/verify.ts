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
  const chain = await chainsHold(db);
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
        from (${accountsAgainstTransfers(sql``)}) x group by ledger order by ledger`,
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
          sql`select * from (${accountsAgainstTransfers(sql`where a.id = ${badId}`)}) x`,
        );
  const [overdrawn] =
    overdrawnId === null
      ? []
      : await query<{ id: string | number; available: string | number }>(
          db,
          sql`select id, credits_posted - debits_posted - debits_pending as available from ledger_accounts where id = ${overdrawnId}`,
        );
  return resultOf([
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
  ]);
}

const resultOf = (checks: VerifyCheck[]): VerifyResult => ({ ok: checks.every((c) => c.ok), checks });

/**
 * Where verification resumes (ADR 0009): every transfer up to `lastTransferId` was verified, and
 * `accountsDigest` is the digest of every account's state at that transfer (`accountDigest`).
 */
interface Checkpoint {
  lastTransferId: number;
  lastTransferHash: string;
  transfers: number;
  accountsDigest: bigint;
  /** False for the empty checkpoint: nothing verified yet. */
  stored: boolean;
}

const emptyCheckpoint: Checkpoint = {
  lastTransferId: 0,
  lastTransferHash: '',
  transfers: 0,
  accountsDigest: 0n,
  stored: false,
};

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
 * every query of the verification (and of the report around it) sees the same transfers. Does not
 * wait: while another verification holds it, fails with lock_not_available (55P03), and the caller
 * tries again without holding a connection meanwhile.
 */
export async function lockLedgerCheckpoints(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`lock table ledger_checkpoints in share row exclusive mode nowait`);
}

/**
 * verifyLedger's four checks from the latest checkpoint on (the nightly report's form, ADR 0009),
 * in a few statements shared between `tx` and `reader` (a second connection on its snapshot, or
 * `tx` itself): the transfers' hashes and links, each ledger's sum, the overdraft flags, each moved
 * account's head against its last transfer, and every account's state before those transfers (its
 * columns less their sums, its first one's previous link) against the checkpoint's digest; plus
 * the cheap check that the checkpointed past is intact. When all hold and `cut` (ledgerCut) is past the checkpoint, writes
 * the next checkpoint at `cut`. When one fails, the full verify names the first offender (and a
 * full pass that holds writes a fresh checkpoint). Run after lockLedgerCheckpoints, in the same
 * transaction.
 */
export async function verifyLedgerSinceCheckpoint(
  tx: DbOrTx,
  cut: number | null,
  reader: DbOrTx = tx,
): Promise<VerifyResult> {
  const c = schema.ledgerCheckpoints;
  const [latest] = await tx.select().from(c).orderBy(desc(c.id)).limit(1);
  const from: Checkpoint = latest ? { ...latest, stored: true } : emptyCheckpoint;
  const [intact, since] = await Promise.all([
    checkpointIntact(reader, from),
    sinceCheckpoint(tx, reader, from, cut),
  ]);
  if (!since.ok) {
    const full = await verifyLedger(tx);
    if (!full.ok || intact) return withChain(full, intact);
    // Everything holds but the checkpoint disagreed: start again from an empty one.
    const fromScratch = await sinceCheckpoint(tx, reader, emptyCheckpoint, cut);
    if (!fromScratch.ok) return full;
    return writeAt(tx, emptyCheckpoint, cut, fromScratch, full);
  }
  const checks = resultOf([
    { name: 'ledgers_balance', ok: true, detail: `${since.ledgers} ledgers sum to zero` },
    {
      name: 'balances_match_transfers',
      ok: true,
      detail: from.stored
        ? `every account balance equals its transfers (checkpoint at transfer ${from.lastTransferId} and the transfers since)`
        : 'every account balance equals its transfers',
    },
    { name: 'no_overdraft', ok: true, detail: 'no noOverdraft account is below zero' },
    {
      name: 'hash_chain',
      ok: true,
      detail: from.stored
        ? `${since.transfers} transfers chained since the checkpoint at transfer ${from.lastTransferId}`
        : `${since.transfers} transfers chained`,
    },
  ]);
  if (intact) return withChain(checks, intact);
  return writeAt(tx, from, cut, since, checks);
}

/** `result` with its hash_chain check replaced by `chain` when there is one. */
function withChain(result: VerifyResult, chain: VerifyCheck | null): VerifyResult {
  if (!chain) return result;
  return resultOf(result.checks.map((check) => (check.name === chain.name ? chain : check)));
}

/** Writes the checkpoint at `cut` when it is past `from`; returns `result`. */
async function writeAt(
  tx: DbOrTx,
  from: Checkpoint,
  cut: number | null,
  since: SinceCheckpoint,
  result: VerifyResult,
): Promise<VerifyResult> {
  if (cut === null || cut <= from.lastTransferId) return result;
  await tx.execute(
    sql`insert into ledger_checkpoints (last_transfer_id, last_transfer_hash, transfers, accounts_digest)
        select ${cut}, t.hash, ${from.transfers + since.transfersToCut}, ${since.digestAtCut.toString()}::bigint
        from ledger_transfers t where t.id = ${cut}`,
  );
  return result;
}

/**
 * An account's state as the checkpoint digest hashes it: each of its four sums and its chain head
 * hashed with a seed of its own (the account id and the field, so equal changes to two accounts
 * cannot cancel), combined by XOR; 0 for an account with nothing yet, so accounts opened since a
 * checkpoint change nothing. The digest is the XOR of this over every account: an accidental
 * change to any account shows, with odds of 2^-64 of hiding (ADR 0009, "What it trusts").
 */
function accountDigest(id: SQL, dpost: SQL, dpend: SQL, cpost: SQL, cpend: SQL, head: SQL): SQL {
  return sql`case when ${dpost} = 0 and ${dpend} = 0 and ${cpost} = 0 and ${cpend} = 0 and ${head} = '' then 0
    else hashtextextended(${head}, ${id}) # hashint8extended(${dpost}, ${id} * 4)
      # hashint8extended(${dpend}, ${id} * 4 + 1) # hashint8extended(${cpost}, ${id} * 4 + 2)
      # hashint8extended(${cpend}, ${id} * 4 + 3) end`;
}

interface SinceCheckpoint {
  ok: boolean;
  ledgers: number;
  /** Transfers after the checkpoint, and those of them up to the cut. */
  transfers: number;
  transfersToCut: number;
  /** The accounts' digest at the cut: the next checkpoint's. */
  digestAtCut: bigint;
}

/**
 * The checks after `from` (see verifyLedgerSinceCheckpoint) in three statements: the hashes and
 * the accounts that moved on `db`, every account as it is now on `reader` (the report's second
 * connection, on the same snapshot).
 */
async function sinceCheckpoint(
  db: DbOrTx,
  reader: DbOrTx,
  from: Checkpoint,
  cut: number | null,
): Promise<SinceCheckpoint> {
  const upTo = cut ?? Number.MAX_SAFE_INTEGER;
  // The hashes are the heaviest part: half of the transfers on each connection.
  const half = cut === null ? null : from.lastTransferId + Math.ceil((cut - from.lastTransferId) / 2);
  const [early, late, moved, now] = await Promise.all([
    hashesBetween(db, from.lastTransferId, half, upTo),
    half === null ? null : hashesBetween(reader, half, null, upTo),
    movedSince(db, from, upTo),
    accountsNow(reader),
  ]);
  const hashes = {
    transfers: early.transfers + (late?.transfers ?? 0),
    toCut: early.toCut + (late?.toCut ?? 0),
    badHash: early.badHash ?? late?.badHash ?? null,
  };
  return {
    ok:
      hashes.badHash === null &&
      moved.ok &&
      now.ok &&
      (now.digest ^ moved.nowToBefore) === from.accountsDigest,
    ledgers: now.ledgers,
    transfers: hashes.transfers,
    transfersToCut: hashes.toCut,
    digestAtCut: now.digest ^ moved.nowToCut,
  };
}

/**
 * One pass over every account as it is now: each ledger's sum, the overdraft flags, and the XOR of
 * their digests.
 */
async function accountsNow(db: DbOrTx) {
  const [row] = await query<{
    ledgers: string | number;
    unbalanced: string | number;
    overdraft: string | number | null;
    digest: string | null;
  }>(
    db,
    sql`with g as (
          select ledger, sum(credits_posted - debits_posted) as posted, sum(credits_pending - debits_pending) as pending,
            min(id) filter (where debits_must_not_exceed_credits
              and debits_posted + debits_pending > credits_posted) as overdraft,
            bit_xor(${accountDigest(sql`id`, sql`debits_posted`, sql`debits_pending`, sql`credits_posted`, sql`credits_pending`, sql`head_hash`)}) as digest
          from ledger_accounts group by ledger
        )
        select count(*) as ledgers, count(*) filter (where posted <> 0 or pending <> 0) as unbalanced,
          min(overdraft) as overdraft, coalesce(bit_xor(digest), 0)::text as digest
        from g`,
  );
  return {
    ok:
      Boolean(row) &&
      Number(row?.unbalanced) === 0 &&
      (row?.overdraft === null || row?.overdraft === undefined),
    ledgers: Number(row?.ledgers ?? 0),
    digest: BigInt(row?.digest ?? 0),
  };
}

/**
 * The transfers with ids in (after, below] (no `below`: all after): how many (and up to `upTo`),
 * and the first whose hash is not its row's.
 */
async function hashesBetween(db: DbOrTx, after: number, below: number | null, upTo: number) {
  const range = (t: SQL) => sql`${t}.id > ${after} ${below === null ? sql`` : sql`and ${t}.id <= ${below}`}`;
  const [row] = await query<{
    transfers: string | number;
    to_cut: string | number;
    bad_hash: string | number | null;
  }>(
    db,
    sql`with first as materialized (
          -- The transactions as an index range from the first one's id: a join over all of them would
          -- read the table (the planner cannot see that range from the join alone).
          select min(transaction_id) as id
          from (select transaction_id from ledger_transfers r where ${range(sql`r`)} offset 0) r
        )
        select count(*) as transfers, count(*) filter (where t.id <= ${upTo}) as to_cut,
          min(t.id) filter (where ${computedHash(sql`t`, sql`x.key`)} is distinct from t.hash) as bad_hash
        from ledger_transfers t left join ledger_transactions x on x.id = t.transaction_id
          and x.id >= (select id from first)
        where ${range(sql`t`)}`,
  );
  return {
    transfers: Number(row?.transfers ?? 0),
    toCut: Number(row?.to_cut ?? 0),
    badHash: row?.bad_hash === null || row?.bad_hash === undefined ? null : Number(row.bad_hash),
  };
}

/**
 * One statement over the accounts that moved after `from`: per account its sums since, its first
 * previous link, its last hash and its first broken link (and the same after the cut); then, joined
 * to the account, its head against its last hash, and what swaps its digest now for its digest
 * before those transfers (XOR of the two) and for its digest at the cut.
 */
async function movedSince(db: DbOrTx, from: Checkpoint, upTo: number) {
  // Account `a`'s digest less the sums (dp, dpe, cp, cpe) of `moves`, headed by its first previous link.
  const digestWithout = (moves: SQL) =>
    accountDigest(
      sql`a.id`,
      sql`a.debits_posted - ${moves}.dp`,
      sql`a.debits_pending - ${moves}.dpe`,
      sql`a.credits_posted - ${moves}.cp`,
      sql`a.credits_pending - ${moves}.cpe`,
      sql`${moves}.first_prev`,
    );
  const [row] = await query<{
    bad_head: string | number | null;
    bad_link: string | number | null;
    now_to_before: string | null;
    now_to_cut: string | null;
  }>(
    db,
    sql`with e as materialized (
          -- Each transfer as its two sides, in one pass over the transfers.
          select t.id, v.account_id, v.side, v.prev, t.hash, v.dpost, v.dpend, v.cpost, v.cpend
          from ledger_transfers t
          cross join lateral (select
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount
              when t.type in ('post', 'void') then -(select p.amount from ledger_transfers p where p.id = t.pending_id)
              else 0 end as pending) k
          cross join lateral (values
            (t.debit_account_id, 0, t.debit_prev_hash, k.posted, k.pending, 0::bigint, 0::bigint),
            (t.credit_account_id, 1, t.credit_prev_hash, 0::bigint, 0::bigint, k.posted, k.pending))
            as v(account_id, side, prev, dpost, dpend, cpost, cpend)
          where t.id > ${from.lastTransferId}
        ), l as (
          select e.*, lag(hash) over w as before, lag(id) over w as before_id, lead(id) over w as next_id
          from e window w as (partition by account_id order by id, side)
        ), m as (
          select account_id, sum(dpost)::bigint as dp, sum(dpend)::bigint as dpe, sum(cpost)::bigint as cp,
            sum(cpend)::bigint as cpe,
            min(prev) filter (where before_id is null) as first_prev,
            min(hash) filter (where next_id is null) as last_hash,
            min(id) filter (where before_id is not null and prev is distinct from before) as bad_link
          from l group by account_id
        ), after_cut as (
          -- Usually none: transfers that committed between the cut and this snapshot.
          select account_id, sum(dpost)::bigint as dp, sum(dpend)::bigint as dpe, sum(cpost)::bigint as cp,
            sum(cpend)::bigint as cpe, (array_agg(prev order by id, side))[1] as first_prev
          from e where id > ${upTo} group by account_id
        ), a as (
          select a.id, a.head_hash, m.last_hash, m.bad_link,
            ${accountDigest(sql`a.id`, sql`a.debits_posted`, sql`a.debits_pending`, sql`a.credits_posted`, sql`a.credits_pending`, sql`a.head_hash`)} as now,
            ${digestWithout(sql`m`)} as before,
            case when c.account_id is not null then ${digestWithout(sql`c`)} end as at_cut
          from m join ledger_accounts a on a.id = m.account_id left join after_cut c on c.account_id = a.id
          offset 0
        )
        select min(id) filter (where last_hash is distinct from head_hash) as bad_head, min(bad_link) as bad_link,
          coalesce(bit_xor(now # before), 0)::text as now_to_before,
          coalesce(bit_xor(now # at_cut) filter (where at_cut is not null), 0)::text as now_to_cut
        from a`,
  );
  return {
    ok:
      (row?.bad_head === null || row?.bad_head === undefined) &&
      (row?.bad_link === null || row?.bad_link === undefined),
    nowToBefore: BigInt(row?.now_to_before ?? 0),
    nowToCut: BigInt(row?.now_to_cut ?? 0),
  };
}

/**
 * Each account's columns and head beside what its transfers say they should be (dpost, dpend,
 * cpost, cpend, expected_head); `where` narrows the accounts.
 */
function accountsAgainstTransfers(where: SQL): SQL {
  return sql`with s as (${transferSums()})
    select a.id, a.ledger, a.debits_must_not_exceed_credits as no_overdraft, a.head_hash,
      a.debits_posted, a.debits_pending, a.credits_posted, a.credits_pending,
      coalesce(s.dpost, 0) as dpost, coalesce(s.dpend, 0) as dpend,
      coalesce(s.cpost, 0) as cpost, coalesce(s.cpend, 0) as cpend,
      coalesce(s.head, '') as expected_head
    from ledger_accounts a left join s on s.id = a.id ${where}`;
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
 * A transfer's hash recomputed in SQL from its row (`t`) and its transaction's key: the canonical
 * JSON that transferHashInput builds (the key through to_json, which quotes and escapes as
 * JSON.stringify does; ledger, type and links are plain words and hex, quoted as they are;
 * integers print the same; times are whole milliseconds), hashed with the database's sha256.
 */
function computedHash(t: SQL, key: SQL): SQL {
  const ms = (column: SQL) => sql`round(date_part('epoch', ${column}) * 1000)::bigint`;
  return sql`encode(sha256(convert_to(concat_ws(',', '[' || to_json(${key})::text, '"' || ${t}.ledger || '"',
    ${t}.debit_account_id, ${t}.credit_account_id, ${t}.amount, '"' || ${t}.type || '"',
    coalesce(${t}.pending_id::text, 'null'), coalesce(${ms(sql`${t}.timeout_at`)}::text, 'null'),
    ${t}.debit_balance_after, ${t}.credit_balance_after, ${ms(sql`${t}.created_at`)},
    '"' || ${t}.debit_prev_hash || '"', '"' || ${t}.credit_prev_hash || '"]'), 'UTF8')), 'hex')`;
}

/**
 * The hash chains of every transfer: each transfer's hash recomputed from its row, and each side's
 * previous link equal to the hash of the account's transfer before it in id order (the order its
 * row lock imposes), or '' for its first. Names the first broken link in id order, as a replay
 * would.
 */
async function chainsHold(db: DbOrTx): Promise<VerifyCheck> {
  const [row] = await query<{
    transfers: string | number;
    bad_hash: string | number | null;
    link_id: string | number | null;
    link_account: string | number | null;
  }>(
    db,
    sql`with t as materialized (
          select t.id, t.debit_account_id, t.credit_account_id, t.debit_prev_hash, t.credit_prev_hash, t.hash,
            ${computedHash(sql`t`, sql`x.key`)} as computed
          from ledger_transfers t left join ledger_transactions x on x.id = t.transaction_id
        ), e as (
          select id, debit_account_id as account_id, 0 as side, debit_prev_hash as prev, hash from t
          union all
          select id, credit_account_id, 1, credit_prev_hash, hash from t
        ), l as (
          select id, account_id, side, prev, lag(hash) over (partition by account_id order by id, side) as before from e
        ), bad_link as (
          select l.id, l.account_id from l
          where l.prev <> coalesce(l.before, '')
          order by l.id, l.side limit 1
        )
        select (select count(*) from t) as transfers,
          (select min(id) from t where computed is distinct from hash) as bad_hash,
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
  return { name: 'hash_chain', ok: true, detail: `${Number(row?.transfers ?? 0)} transfers chained` };
}

/**
 * Per account, the four balance columns' sums over every transfer, a post or void releasing what
 * its pending reserved, and the hash of its last one (its head). Columns id, dpost, dpend, cpost,
 * cpend, head.
 */
function transferSums(): SQL {
  return sql`with t as (
          select t.id, t.debit_account_id, t.credit_account_id, t.hash,
            case when t.type in ('single', 'post') then t.amount else 0 end as posted,
            case when t.type = 'pending' then t.amount
              when t.type in ('post', 'void') then -(select p.amount from ledger_transfers p where p.id = t.pending_id)
              else 0 end as pending
          from ledger_transfers t
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
