// The pages a verification link leads to: email_verified.html and email_verification_error.html.
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

export const ja = {
  'title.verified': 'メールアドレスを確認しました | SalesMind',
  'verified.heading': 'メールアドレスを確認しました',
  'verified.body': '登録が完了しました。ログインしてご利用ください。',
  'verified.countdown': ({ n }) => `${n}秒後にログインページへ移動します。`,
  'verified.redirecting': 'ログインページへ移動しています…',
  'verified.loginNow': '今すぐログイン',
  'verified.stay': 'このページにとどまる',
  'verified.stopped': '自動での移動を止めました。',

  'title.verifyError': 'メールアドレスを確認できませんでした | SalesMind',
  'verifyError.expired.heading': '確認リンクの有効期限が切れています',
  'verifyError.expired.body': '下にメールアドレスを入力すると、新しい確認リンクをお送りします。',
  'verifyError.resend.submit': '新しい確認リンクを送る',
  'verifyError.resend.sent': 'このアドレスで確認待ちのアカウントがあれば、新しい確認リンクをお送りしました。',
  'verifyError.used.heading': 'この確認リンクはすでに使用されています',
  'verifyError.used.body': 'メールアドレスの確認は完了しています。ログインしてください。',
  'verifyError.invalid.heading': 'この確認リンクは無効です',
  'verifyError.invalid.body': 'リンクが正しくないか、一部が欠けている可能性があります。メール内のリンクをもう一度開くか、改めて登録してください。',
  'verifyError.deactivated.heading': 'このアカウントは無効化されています',
  'verifyError.deactivated.body': '管理者がこのアカウントを無効化したため、リンクは使えません。お心当たりがない場合は管理者にお問い合わせください。',
};

export const en = {
  'title.verified': 'Email address confirmed | SalesMind',
  'verified.heading': 'Your email address is confirmed',
  'verified.body': 'Your registration is complete. Log in to get started.',
  'verified.countdown': ({ n }) => `Taking you to the login page in ${n} ${n === 1 ? 'second' : 'seconds'}.`,
  'verified.redirecting': 'Taking you to the login page…',
  'verified.loginNow': 'Log in now',
  'verified.stay': 'Stay on this page',
  'verified.stopped': 'Automatic redirect stopped.',

  'title.verifyError': 'Email address not confirmed | SalesMind',
  'verifyError.expired.heading': 'This confirmation link has expired',
  'verifyError.expired.body': 'Enter your email address below and we will send you a new confirmation link.',
  'verifyError.resend.submit': 'Send a new link',
  'verifyError.resend.sent': 'If an account with this address is waiting for confirmation, a new link is on its way.',
  'verifyError.used.heading': 'This confirmation link has already been used',
  'verifyError.used.body': 'Your email address is already confirmed. Please log in.',
  'verifyError.invalid.heading': 'This confirmation link is not valid',
  'verifyError.invalid.body': 'The link may be wrong or incomplete. Open the link in the email again, or register again.',
  'verifyError.deactivated.heading': 'This account has been deactivated',
  'verifyError.deactivated.body': 'An administrator deactivated this account, so its links no longer work. Contact the administrator if you think this is a mistake.',
};
