import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Ctx, Deps } from '../context';
import { scheduledJobs, workerCrons } from '../jobs/schedules';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const apiDir = join(root, 'api');

/** Relative imports of every .ts file under `dir` (type-only ones too: a cycle of types is still a tangle). */
function importGraph(dir: string): Map<string, string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))
    .map((f) => join(dir, f));
  const specifier = /^\s*(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/gm;
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = [...readFileSync(file, 'utf8').matchAll(specifier)].flatMap((m) => {
      const base = resolve(dirname(file), m[1]!);
      const found = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
      return found ? [found] : [];
    });
    graph.set(file, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('structure', () => {
  it('has no import cycles in api/', () => {
    const graph = importGraph(apiDir);
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles(graph).map((cycle) => cycle.map((f) => relative(apiDir, f)).join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('a Deps or Ctx without a collaborator does not compile (npm run check)', () => {
    const parts = {} as Omit<Deps, 'supplyChain'>;
    // @ts-expect-error the supply chain's order hooks are required: orders cannot silently skip them
    const deps: Deps = { ...parts };
    // @ts-expect-error the same for a service context
    const ctx: Ctx = { db: parts.db, config: parts.config, log: parts.log, now: parts.now };
    expect([deps, ctx]).toHaveLength(2);
  });

  it('keeps the ledger free of services and HTTP', () => {
    const ledgerImports = new Set([...importGraph(join(apiDir, 'ledger')).values()].flat());
    const outside = [...ledgerImports].filter((f) => !f.startsWith(join(apiDir, 'ledger')));
    // ids.ts: canonical JSON for the transaction hash, a leaf module.
    expect(outside.map((f) => relative(apiDir, f))).toEqual(['ids.ts']);
  });

  it('only the member-code service touches the member_codes table', () => {
    const files = readdirSync(join(apiDir, 'services')).filter((f) => f.endsWith('.ts'));
    const touching = files.filter((f) =>
      readFileSync(join(apiDir, 'services', f), 'utf8').includes('schema.memberCodes'),
    );
    expect(touching).toEqual(['member-codes.ts']);
  });

  it('the sale and order services do not write the supply tables (they go through the supply hooks)', () => {
    for (const file of ['orders.ts', 'sales.ts']) {
      const source = readFileSync(join(apiDir, 'services', file), 'utf8');
      expect({ file, touches: /schema\.(fulfillment|supplier)/.test(source) }).toEqual({
        file,
        touches: false,
      });
    }
  });

  it("the Worker's cron triggers in wrangler.toml are the schedule table's", () => {
    const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
    const crons = JSON.parse(/^crons\s*=\s*(\[.*\])\s*$/m.exec(toml)?.[1] ?? 'null');
    expect(crons).toEqual(workerCrons);
    // One tick a minute serves every job: each one's schedule is evaluated per minute.
    expect(workerCrons).toEqual(['* * * * *']);
    expect(new Set(scheduledJobs.map((j) => j.name)).size).toBe(scheduledJobs.length);
  });
});
