/**
 * The privacy notice the apps show (its words are in privacy-i18n.ts). The server asks for consent
 * to its own version (api/services/privacy.ts); privacy.test.ts fails when the two differ, so the
 * text and the version change together.
 */
export const PRIVACY_NOTICE_VERSION = '2026-12-01';

/** Where people write about their personal information; the operator sets the real one before launch. */
export const PRIVACY_CONTACT = 'privacy@alliance.example';

/** A notice version (a date) in the reader's language, e.g. 2026年12月1日 / December 1, 2026. */
export function noticeDate(version: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'Asia/Shanghai' }).format(
    new Date(`${version}T00:00:00+08:00`),
  );
}

/** `alliance-my-data-2026-12-02.json`: the export's file name, dated in Beijing time. */
export function exportFileName(now: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
  return `alliance-my-data-${day}.json`;
}
