import type { RouteSectionProps } from '@solidjs/router';
import { Show } from 'solid-js';
import { isOperator } from '../session';
import { NotFound } from './Shell';

/** The layout route of /platform: the operator's pages, and nothing for anyone else. */
export function OperatorArea(props: RouteSectionProps) {
  return (
    <Show when={isOperator()} fallback={<NotFound />}>
      {props.children}
    </Show>
  );
}
