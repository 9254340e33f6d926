import { createSignal } from 'solid-js';
import { ApiFailure } from './api';
import { privacyEn, privacyZh } from './privacy-i18n';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'en'];
export type Dict = Record<string, string>;
export type Params = Record<string, string | number>;

const STORAGE_KEY = 'alliance.locale';

/** Strings the shared code uses (sign-in, language switch, common API errors). Apps spread these into theirs. */
export const sharedZh = {
  'lang.name': '中文',
  'lang.switch': 'English',
  'signin.phone': '手机号',
  'signin.phonePlaceholder': '11 位手机号',
  'signin.phoneInvalid': '请输入正确的手机号（11 位，或以 + 开头的国际号码）',
  'signin.code': '验证码',
  'signin.codePlaceholder': '6 位数字',
  'signin.sendCode': '获取验证码',
  'signin.resendIn': '{s} 秒后重发',
  'signin.submit': '登录',
  'signin.sent': '验证码已发送至 {phone}',
  'signin.devHint': '开发模式',
  'signin.devCode': '验证码',
  'signin.devNote': '仅开发环境显示，正式环境通过短信发送',
  'signin.terms': '未注册的手机号验证后将自动创建账号',
  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.signOut': '退出登录',
  'common.empty': '暂无数据',
  'common.back': '返回',
  'common.more': '加载更多',
  'common.cancel': '取消',
  'error.generic': '出错了：{message}',
  'error.network_error': '网络连接失败，请检查网络后重试',
  'error.rate_limited': '操作太频繁，请稍后再试',
  'error.invalid_code': '验证码错误或已过期',
  'error.validation_error': '输入有误：{message}',
  'error.unauthorized': '请先登录',
  'error.invalid_token': '登录已失效，请重新登录',
  'error.forbidden': '当前账号无权进行此操作',
  'error.not_found': '内容不存在或已被删除',
  'error.internal_error': '服务器开小差了，请稍后再试',
  'error.eco_points_exceed_amount': '使用的生态积分超过了应付金额，请少用一些',
  'error.insufficient_eco_points': '可用的生态积分不够（冻结中的积分不能使用）',
  'error.withdrawals_disabled': '平台暂未开放生态积分提现',
  'error.below_minimum': '提现数量低于平台规定的最低数量（扣除手续费后也须有余额可付）',
  'error.already_decided': '这笔提现已经处理过了，请刷新查看结果',
  'error.owner_only': '只有商户负责人可以进行此操作',
  'error.payout_reference_required': '请填写打款凭证号（银行流水号）',
  'error.reason_required': '请填写驳回原因',
  ...privacyZh,
} satisfies Dict;

export const sharedEn: Record<keyof typeof sharedZh, string> = {
  'lang.name': 'English',
  'lang.switch': '中文',
  'signin.phone': 'Phone number',
  'signin.phonePlaceholder': '11-digit mobile number',
  'signin.phoneInvalid': 'Enter a valid phone number (11 digits, or international starting with +)',
  'signin.code': 'SMS code',
  'signin.codePlaceholder': '6 digits',
  'signin.sendCode': 'Get code',
  'signin.resendIn': 'Resend in {s}s',
  'signin.submit': 'Sign in',
  'signin.sent': 'Code sent to {phone}',
  'signin.devHint': 'Dev mode',
  'signin.devCode': 'Code',
  'signin.devNote': 'Shown only in development; production sends it by SMS',
  'signin.terms': 'A new number gets an account automatically after verification',
  'common.loading': 'Loading…',
  'common.retry': 'Retry',
  'common.signOut': 'Sign out',
  'common.empty': 'Nothing here yet',
  'common.back': 'Back',
  'common.more': 'Load more',
  'common.cancel': 'Cancel',
  'error.generic': 'Something went wrong: {message}',
  'error.network_error': 'Network error. Check your connection and try again',
  'error.rate_limited': 'Too many attempts. Please wait a moment',
  'error.invalid_code': 'The code is wrong or has expired',
  'error.validation_error': 'Invalid input: {message}',
  'error.unauthorized': 'Please sign in first',
  'error.invalid_token': 'Your session has expired. Please sign in again',
  'error.forbidden': 'This account may not do that',
  'error.not_found': 'Not found, or no longer available',
  'error.internal_error': 'Server error. Please try again later',
  'error.eco_points_exceed_amount': 'Those eco-points are worth more than the amount to pay: use fewer',
  'error.insufficient_eco_points': 'Not enough eco-points to use now (held points cannot be used)',
  'error.withdrawals_disabled': 'The platform has not opened eco-point withdrawals',
  'error.below_minimum':
    'That is below the minimum the platform allows (and something must be left to pay after the fee)',
  'error.already_decided': 'This withdrawal was already decided: refresh to see the outcome',
  'error.owner_only': "Only the merchant's owner may do this",
  'error.payout_reference_required': 'Enter the payout reference (the bank transfer number)',
  'error.reason_required': 'Enter the reason for rejecting',
  ...privacyEn,
};

export type I18n<K extends string> = ReturnType<typeof createI18n<K>>;

/**
 * Reactive translations. `zh` is the reference dictionary (zh-CN is the default language);
 * `en` must have exactly the same keys, which the type checker enforces. The chosen language
 * is remembered in localStorage and shared by both apps.
 */
export function createI18n<K extends string>(dicts: { 'zh-CN': Record<K, string>; en: Record<K, string> }) {
  const [locale, setLocaleSignal] = createSignal<Locale>(readLocale());
  const apply = (l: Locale) => {
    if (typeof document !== 'undefined') document.documentElement.lang = l;
  };
  apply(locale());

  const lookup = (key: string, params?: Params): string => {
    const dict = dicts[locale()] as Dict;
    const template = dict[key] ?? (dicts['zh-CN'] as Dict)[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  };

  const setLocale = (l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLocaleSignal(l);
    apply(l);
  };

  return {
    locale,
    setLocale,
    toggleLocale: () => setLocale(locale() === 'zh-CN' ? 'en' : 'zh-CN'),
    t: (key: K, params?: Params) => lookup(key, params),
    /** True when the dictionary has the key (for optional per-code texts). */
    has: (key: string) => key in (dicts[locale()] as Dict),
    /** Plain words for an API refusal: `error.<code>` from the dictionary, else the server's message. */
    errorText: (error: unknown): string => {
      if (error instanceof ApiFailure) {
        const key = `error.${error.code}`;
        if (key in (dicts[locale()] as Dict)) return lookup(key, { message: error.message });
        return lookup('error.generic', { message: error.message });
      }
      return lookup('error.generic', { message: error instanceof Error ? error.message : String(error) });
    },
    /** Date and time in the reader's language, shown in Beijing time (business days follow it). */
    dateTime: (iso: string | Date) =>
      new Intl.DateTimeFormat(locale(), {
        timeZone: 'Asia/Shanghai',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }).format(typeof iso === 'string' ? new Date(iso) : iso),
  };
}

function readLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh-CN' || saved === 'en') return saved;
  } catch {
    // Storage can be unavailable (private mode); the default language still works.
  }
  return 'zh-CN';
}
