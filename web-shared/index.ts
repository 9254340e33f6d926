// The one phone-masking rule (SPEC section 7), shared with the server's logs and views.
export { maskPhone } from '../api/phone';
export * from './api';
export * from './auth';
export * from './Consent';
export * from './i18n';
export * from './LangSwitch';
export * from './money';
export * from './privacy';
export * from './SignIn';
