import { useResolvedPath } from '@solidjs/router';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { i18n, type Key, t } from '../i18n';

/**
 * A link to a back-office path ('/merchants/x'): the href carries the base, and the router
 * handles the click in-app. Unlike the router's <A>, it sets no active classes of its own.
 */
export function Link(props: { to: string; class?: string; children: JSX.Element; title?: string }) {
  const href = useResolvedPath(() => props.to);
  return (
    <a href={href()} class={props.class} title={props.title}>
      {props.children}
    </a>
  );
}

export function PageHeader(props: { title: string; subtitle?: string; actions?: JSX.Element }) {
  return (
    <div class="page-header">
      <div>
        <h1>{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="muted">{props.subtitle}</p>
        </Show>
      </div>
      <Show when={props.actions}>
        <div class="page-actions">{props.actions}</div>
      </Show>
    </div>
  );
}

export function Card(props: { title?: string; extra?: JSX.Element; children: JSX.Element; class?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`}>
      <Show when={props.title || props.extra}>
        <header class="card-head">
          <h2>{props.title}</h2>
          {props.extra}
        </header>
      </Show>
      <div class="card-body">{props.children}</div>
    </section>
  );
}

export function Stat(props: {
  label: string;
  value: JSX.Element;
  hint?: JSX.Element;
  tone?: 'red' | 'green' | 'amber';
  testId?: string;
}) {
  return (
    <div class={`stat ${props.tone ? `stat-${props.tone}` : ''}`}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value" data-testid={props.testId}>
        {props.value}
      </div>
      <Show when={props.hint}>
        <div class="stat-hint">{props.hint}</div>
      </Show>
    </div>
  );
}

export interface Column<T> {
  label: string;
  render: (row: T) => JSX.Element;
  align?: 'right' | 'center';
}

export function Table<T>(props: {
  columns: Column<T>[];
  rows: T[] | undefined;
  empty?: string;
  testId?: string;
}) {
  return (
    <Show when={(props.rows?.length ?? 0) > 0} fallback={<Empty text={props.empty ?? t('common.empty')} />}>
      <div class="table-wrap">
        <table class="table" data-testid={props.testId}>
          <thead>
            <tr>
              <For each={props.columns}>
                {(c) => <th class={c.align ? `al-${c.align}` : ''}>{c.label}</th>}
              </For>
            </tr>
          </thead>
          <tbody>
            <For each={props.rows}>
              {(row) => (
                <tr>
                  <For each={props.columns}>
                    {(c) => <td class={c.align ? `al-${c.align}` : ''}>{c.render(row)}</td>}
                  </For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/** Mutually exclusive choices shown as one row of buttons (a list's status, a chart's span). */
export function Segmented<T extends string>(props: {
  options: readonly T[];
  value: T;
  label: (option: T) => string;
  onChange: (option: T) => void;
  testId?: (option: T) => string;
}) {
  return (
    <div class="segmented">
      <For each={props.options}>
        {(option) => (
          <button
            type="button"
            class={props.value === option ? 'active' : ''}
            data-testid={props.testId?.(option)}
            onClick={() => props.onChange(option)}
          >
            {props.label(option)}
          </button>
        )}
      </For>
    </div>
  );
}

export function Empty(props: { text: string }) {
  return (
    <div class="empty">
      <svg viewBox="0 0 48 48" width="40" height="40" aria-hidden="true">
        <rect x="8" y="12" width="32" height="26" rx="4" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M8 22h10l2 4h8l2-4h10" fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
      <span>{props.text}</span>
    </div>
  );
}

/** An error in words: the dictionary's text for a known code, else the server's message. */
export const errorText = (error: unknown) => i18n.errorText(error);

export function Alert(props: {
  tone: 'error' | 'warn' | 'ok' | 'info';
  children: JSX.Element;
  testId?: string;
}) {
  return (
    <div
      class={`alert alert-${props.tone}`}
      role={props.tone === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      {props.children}
    </div>
  );
}

export function ErrorNote(props: { error: unknown }) {
  return (
    <Show when={props.error}>
      <Alert tone="error">{errorText(props.error)}</Alert>
    </Show>
  );
}

/** Shows a resource: a skeleton while loading, the error in words, else the children. */
export function Loaded<T>(props: {
  resource: { (): T | undefined; loading: boolean; error: unknown };
  children: (value: T) => JSX.Element;
}) {
  return (
    <Show when={!props.resource.error} fallback={<ErrorNote error={props.resource.error} />}>
      <Show when={props.resource()} fallback={<div class="skeleton" aria-busy="true" />} keyed>
        {(v) => props.children(v)}
      </Show>
    </Show>
  );
}

const badgeTone: Record<string, string> = {
  active: 'ok',
  paid: 'ok',
  completed: 'ok',
  shipped: 'ok',
  delivered: 'ok',
  approved: 'ok',
  passed: 'ok',
  serving: 'ok',
  pending: 'warn',
  awaiting_confirmation: 'warn',
  pending_payment: 'warn',
  to_ship: 'warn',
  processing: 'warn',
  rejected: 'danger',
  suspended: 'danger',
  failed: 'danger',
};

export function Badge(props: { status: string }) {
  const label = () => {
    const key = `status.${props.status}`;
    return i18n.has(key) ? t(key as Key) : t('status.other');
  };
  return <span class={`badge badge-${badgeTone[props.status] ?? 'plain'}`}>{label()}</span>;
}

export function Field(props: { label: string; hint?: string; children: JSX.Element }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control arrives as children
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      <Show when={props.hint}>
        <span class="field-hint">{props.hint}</span>
      </Show>
    </label>
  );
}

/** A form whose submit runs one async action, with a busy state and the error in words. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** Bars from plain SVG: one bar per point, labelled below, value on hover and above the bar. */
export function Bars(props: {
  points: Array<{ label: string; value: number }>;
  format?: (value: number) => string;
  height?: number;
  testId?: string;
}) {
  const fmt = (v: number) => (props.format ? props.format(v) : String(v));
  const h = () => props.height ?? 180;
  const max = () => Math.max(1, ...props.points.map((p) => p.value));
  const w = 44;
  const gap = 28;
  const width = () => Math.max(props.points.length * (w + gap) + gap, 200);
  return (
    <Show when={props.points.length > 0} fallback={<Empty text={t('common.empty')} />}>
      <div class="chart" data-testid={props.testId}>
        <svg
          viewBox={`0 0 ${width()} ${h() + 36}`}
          width="100%"
          height={h() + 36}
          preserveAspectRatio="xMinYMid meet"
          role="img"
          aria-label={props.points.map((p) => `${p.label} ${fmt(p.value)}`).join(', ')}
        >
          <line x1="0" x2={width()} y1={h() + 4} y2={h() + 4} class="chart-axis" />
          <For each={props.points}>
            {(p, i) => {
              const bh = () => Math.round(((h() - 20) * Math.max(0, p.value)) / max());
              const x = () => gap + i() * (w + gap);
              return (
                <g>
                  <title>{`${p.label}: ${fmt(p.value)}`}</title>
                  <rect x={x()} y={h() + 4 - bh()} width={w} height={bh()} rx="4" class="chart-bar" />
                  <text x={x() + w / 2} y={h() - bh() - 2} class="chart-value" text-anchor="middle">
                    {fmt(p.value)}
                  </text>
                  <text x={x() + w / 2} y={h() + 22} class="chart-label" text-anchor="middle">
                    {p.label}
                  </text>
                </g>
              );
            }}
          </For>
        </svg>
      </div>
    </Show>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return Number.isNaN(Date.parse(iso)) ? iso : i18n.dateTime(iso);
}

interface ConfirmRequest {
  title: string;
  body?: string;
  confirm: string;
  /** Label of a required text field (a reason); its text is the answer. */
  input?: string;
  resolve: (answer: string | null) => void;
}
const [confirmRequest, setConfirmRequest] = createSignal<ConfirmRequest | null>(null);

function ask(
  opts: Omit<ConfirmRequest, 'resolve' | 'confirm'> & { confirm?: string },
): Promise<string | null> {
  confirmRequest()?.resolve(null);
  return new Promise((resolve) =>
    setConfirmRequest({ ...opts, confirm: opts.confirm ?? t('common.confirm'), resolve }),
  );
}

/**
 * A second look before an action that moves money or changes what merchants pay: resolves true
 * when the person confirms. Rendered by <ConfirmHost/>, mounted once in App.
 */
export async function confirmDialog(opts: {
  title: string;
  body?: string;
  confirm?: string;
}): Promise<boolean> {
  return (await ask(opts)) !== null;
}

/** The same dialog with a required reason: resolves the reason, or null when cancelled. */
export function reasonDialog(opts: { title: string; body?: string; confirm?: string; input: string }) {
  return ask(opts);
}

export function ConfirmHost() {
  const [text, setText] = createSignal('');
  const answer = (yes: boolean) => {
    const r = confirmRequest();
    r?.resolve(yes ? (r.input ? text().trim() : '') : null);
    setConfirmRequest(null);
    setText('');
  };
  return (
    <Show when={confirmRequest()}>
      {(r) => (
        <div class="modal-backdrop">
          <div
            class="modal"
            role="dialog"
            aria-modal="true"
            aria-labelledby="confirm-title"
            data-testid="confirm-dialog"
          >
            <h2 id="confirm-title">{r().title}</h2>
            <Show when={r().body}>
              <p class="muted">{r().body}</p>
            </Show>
            <Show when={r().input}>
              <Field label={r().input!}>
                <input
                  class="input"
                  name="reason"
                  value={text()}
                  onInput={(e) => setText(e.currentTarget.value)}
                />
              </Field>
            </Show>
            <div class="modal-actions">
              <button
                type="button"
                class="btn btn-ghost"
                data-testid="confirm-no"
                onClick={() => answer(false)}
              >
                {t('common.cancel')}
              </button>
              <button
                type="button"
                class="btn btn-primary"
                data-testid="confirm-yes"
                disabled={!!r().input && !text().trim()}
                ref={(el) => queueMicrotask(() => el.focus())}
                onClick={() => answer(true)}
              >
                {r().confirm}
              </button>
            </div>
          </div>
        </div>
      )}
    </Show>
  );
}
