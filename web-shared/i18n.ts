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
  'error.generic': '操作没有完成，请稍后重试',
  'error.rejected': '填写的内容未被接受，请检查后重试',
  'error.conflict': '当前状态下不能这样操作，请刷新页面后再看',
  'error.unavailable': '服务暂时不可用，请稍后重试',
  'error.amount_not_positive': '金额必须大于 0',
  'error.amount_too_large': '金额超过上限（单笔最多 ¥10,000,000.00）',
  'error.already_paid': '已经付过款了',
  'error.balance_changed': '余额刚刚发生变化，请刷新后重试',
  'error.budget_below_price': '预算不能低于单次完成的价格',
  'error.effective_in_past': '生效时间不能早于现在',
  'error.idempotency_request_in_progress': '上一次提交还在处理中，请稍候',
  'error.insufficient_balance': '余额不足',
  'error.invalid_amount': '金额无效',
  'error.invalid_budget': '预算无效',
  'error.invalid_daily_cap': '每日上限无效',
  'error.invalid_date': '日期无效',
  'error.invalid_date_range': '日期范围无效',
  'error.invalid_media_url': '视频地址无效',
  'error.invalid_parameter_value': '这个参数的取值不在允许范围内',
  'error.invalid_price': '价格无效',
  'error.invalid_quantity': '数量无效',
  'error.invalid_stock': '库存数量无效',
  'error.listing_not_found': '商品不存在或已下架',
  'error.listing_unavailable': '商品暂时无法购买',
  'error.name_required': '请填写名称',
  'error.no_payout_account': '还没有设置收款账户',
  'error.not_pending': '该申请已处理过',
  'error.not_shipped': '还没有发货',
  'error.order_not_paid': '只有已支付的订单才能退款',
  'error.owner_only': '只有店主可以这样操作',
  'error.payload_too_large': '提交的内容太大',
  'error.payment_provider_error': '支付服务暂时没有响应，请稍后重试；钱款未发生变动',
  'error.reason_required': '请填写原因',
  'error.reference_required': '请填写打款凭证号',
  'error.refund_through_order': '线上订单请在「线上订单」页退款',
  'error.sale_declined': '顾客已拒绝这笔消费',
  'error.sale_expired': '这笔消费已超时未确认',
  'error.sale_not_completed': '只有已完成的消费才能退款',
  'error.self_sale_not_allowed': '店员不能在自己的店里消费赚取广告券',
  'error.topup_not_paid': '充值尚未支付',
  'error.unknown_parameter': '没有这个参数',
  'error.unsupported_unit': '该账户不持有这种积分',
  'error.invalid_cursor': '列表已变化，请刷新页面',

  'error.network_error': '网络连接失败，请检查网络后重试',
  'error.rate_limited': '操作太频繁，请稍后再试',
  'error.invalid_code': '验证码错误或已过期',
  'error.validation_error': '输入有误，请检查填写的内容',
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
  'error.payout_reference_required': '请填写打款凭证号（银行流水号）',
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
  'error.generic': 'That did not work. Please try again shortly',
  'error.rejected': 'That was not accepted. Check what you entered and try again',
  'error.conflict': 'That cannot be done in the current state. Refresh the page and look again',
  'error.unavailable': 'The service is unavailable for a moment. Please try again shortly',
  'error.amount_not_positive': 'The amount must be more than 0',
  'error.amount_too_large': 'The amount is over the limit (at most ¥10,000,000.00 at a time)',
  'error.already_paid': 'This was already paid',
  'error.balance_changed': 'The balance just changed. Refresh and try again',
  'error.budget_below_price': 'The budget cannot be below the price of one completion',
  'error.effective_in_past': 'The start time cannot be in the past',
  'error.idempotency_request_in_progress': 'The previous submission is still being processed. Please wait',
  'error.insufficient_balance': 'Not enough balance',
  'error.invalid_amount': 'The amount is not valid',
  'error.invalid_budget': 'The budget is not valid',
  'error.invalid_daily_cap': 'The daily cap is not valid',
  'error.invalid_date': 'The date is not valid',
  'error.invalid_date_range': 'The date range is not valid',
  'error.invalid_media_url': 'The video address is not valid',
  'error.invalid_parameter_value': 'That value is outside what this setting allows',
  'error.invalid_price': 'The price is not valid',
  'error.invalid_quantity': 'The quantity is not valid',
  'error.invalid_stock': 'The stock is not valid',
  'error.listing_not_found': 'This product does not exist or was delisted',
  'error.listing_unavailable': 'This product cannot be bought right now',
  'error.name_required': 'Please enter a name',
  'error.no_payout_account': 'No payout account is set up yet',
  'error.not_pending': 'This application was already decided',
  'error.not_shipped': 'Not shipped yet',
  'error.order_not_paid': 'Only a paid order can be refunded',
  'error.owner_only': 'Only the owner may do this',
  'error.payload_too_large': 'What you sent is too large',
  'error.payment_provider_error':
    'The payment service did not answer. Please try again shortly; no money moved',
  'error.reason_required': 'Please give a reason',
  'error.reference_required': 'Please enter the transfer reference',
  'error.refund_through_order': 'Refund online orders on the Online orders page',
  'error.sale_declined': 'The shopper declined this purchase',
  'error.sale_expired': 'This purchase was not confirmed in time',
  'error.sale_not_completed': 'Only a completed purchase can be refunded',
  'error.self_sale_not_allowed': 'Staff cannot earn vouchers at their own merchant',
  'error.topup_not_paid': 'The top-up has not been paid',
  'error.unknown_parameter': 'There is no such setting',
  'error.unsupported_unit': 'This account does not hold that kind of points',
  'error.invalid_cursor': 'The list changed. Refresh the page',

  'error.network_error': 'Network error. Check your connection and try again',
  'error.rate_limited': 'Too many attempts. Please wait a moment',
  'error.invalid_code': 'The code is wrong or has expired',
  'error.validation_error': 'Some input is not valid. Check what you entered',
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
  'error.payout_reference_required': 'Enter the payout reference (the bank transfer number)',
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
        if (key in (dicts[locale()] as Dict)) return lookup(key);
        // A code this app has no words for: say what kind of refusal it is, never the code or
        // the server's English message.
        if (error.status >= 500) return lookup('error.unavailable');
        if (error.status === 409) return lookup('error.conflict');
        if (error.status === 400 || error.status === 422) return lookup('error.rejected');
        return lookup('error.generic');
      }
      // The apps throw Error with their own translated words for checks made before a request.
      return error instanceof Error && error.message ? error.message : lookup('error.generic');
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
