import { describe, expect, it } from 'vitest';
import { privacyNoticeVersion } from '../api/services/privacy';
import { exportFileName, noticeDate, PRIVACY_NOTICE_VERSION } from './privacy';

describe('privacy notice', () => {
  it('the apps show the text of the version the server asks consent to', () => {
    expect(PRIVACY_NOTICE_VERSION).toBe(privacyNoticeVersion);
  });

  it('shows the version as a date in the reader’s language, and dates the export in Beijing time', () => {
    expect(noticeDate('2026-12-01', 'zh-CN')).toBe('2026年12月1日');
    expect(noticeDate('2026-12-01', 'en')).toBe('December 1, 2026');
    // 23:30 UTC on 1 December is already 2 December in Beijing.
    expect(exportFileName(new Date('2026-12-01T23:30:00Z'))).toBe('alliance-my-data-2026-12-02.json');
  });
});
