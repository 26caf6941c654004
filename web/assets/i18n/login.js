// The login page (login.html) and resending the verification mail. The account page's texts are in account.js.
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

import { waitJa, waitEn } from './wait.js';

export const ja = {
  'title.login': 'ログイン | SalesMind',
  'login.heading': 'ログイン',
  'field.identifier': 'ユーザー名またはメールアドレス',
  'login.submit': 'ログイン',
  'login.noAccount': 'アカウントをお持ちでない方は',
  'login.failed': 'ユーザー名・メールアドレスまたはパスワードが正しくありません。',
  'login.generic': 'ログインできませんでした。時間をおいてもう一度お試しください。',
  'login.locked': ({ seconds }) => `ログインの試行回数が多すぎます。${waitJa(seconds)}後にもう一度お試しください。`,
  'login.notVerified': ({ email }) => `メールアドレス（${email}）の確認がまだ完了していません。確認メールのリンクを開いてから、もう一度ログインしてください。`,
  'login.resend': '確認メールを再送する',
  'login.signedIn': ({ username }) => `${username} としてログインしています。`,
  'login.toAccount': 'アカウントページへ',

  'resend.button': 'メールを再送する',
  'resend.wait': ({ n }) => `あと${n}秒で再送できます`,
  'resend.sending': '送信中…',
  'resend.sent': 'メールを再送しました（このアドレスでメールを受け取れる場合）。',
  'resend.tooMany': ({ seconds }) => `リクエストが多すぎます。${waitJa(seconds)}後にもう一度お試しください。`,
  'resend.tooManyNoWait': 'リクエストが多すぎます。しばらく待ってからもう一度お試しください。',
  'resend.failed': '再送できませんでした。時間をおいてもう一度お試しください。',


  'login.forgot': 'パスワードをお忘れですか?',
};

export const en = {
  'title.login': 'Log in | SalesMind',
  'login.heading': 'Log in',
  'field.identifier': 'Username or email address',
  'login.submit': 'Log in',
  'login.noAccount': 'No account yet?',
  'login.failed': 'The username, email address or password is incorrect.',
  'login.generic': 'We could not log you in. Please try again in a moment.',
  'login.locked': ({ seconds }) => `Too many login attempts. Please try again in ${waitEn(seconds)}.`,
  'login.notVerified': ({ email }) => `The email address ${email} has not been confirmed yet. Open the link in the confirmation email, then log in again.`,
  'login.resend': 'Resend the confirmation email',
  'login.signedIn': ({ username }) => `You are already logged in as ${username}.`,
  'login.toAccount': 'Go to your account',

  'resend.button': 'Resend the email',
  'resend.wait': ({ n }) => `You can resend in ${n} ${n === 1 ? 'second' : 'seconds'}`,
  'resend.sending': 'Sending…',
  'resend.sent': 'We sent the email again (if the address can receive mail).',
  'resend.tooMany': ({ seconds }) => `Too many requests. Please try again in ${waitEn(seconds)}.`,
  'resend.tooManyNoWait': 'Too many requests. Please wait a while and try again.',
  'resend.failed': 'We could not resend the email. Please try again in a moment.',


  'login.forgot': 'Forgot your password?',
};
