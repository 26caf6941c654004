// The account deletion page (delete_account.html): downloading one's data and deleting the account.
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

import { waitJa, waitEn } from './wait.js';

export const ja = {
  'title.deleteAccount': 'アカウントの削除 | SalesMind',
  'del.heading': 'データのダウンロードとアカウントの削除',
  'del.loading': 'アカウント情報を読み込んでいます…',
  'del.signedOut': 'このページを使うにはログインしてください。',
  'del.toLogin': 'ログイン',
  'del.signedInAs': 'ログイン中のアカウント:',
  'del.back': 'アカウントページへ戻る',

  'del.export.heading': 'データのダウンロード',
  'del.export.hint': 'アカウント情報、プロフィール、ログイン中の端末、操作の記録、お送りしたメールの配信状況を JSON ファイルでダウンロードできます。パスワードは含まれません。',
  'del.export.button': 'データをダウンロード',
  'del.export.working': '準備しています…',
  'del.export.done': 'ダウンロードを開始しました。',
  'del.export.failed': 'ダウンロードできませんでした。時間をおいてもう一度お試しください。',
  'del.export.tooMany': ({ seconds }) => `ダウンロードの回数が多すぎます。${waitJa(seconds)}後にもう一度お試しください。`,

  'del.delete.heading': 'アカウントの削除',
  'del.delete.now': 'すべての端末からすぐにログアウトされ、二度とログインできなくなります。',
  'del.delete.free': 'メールアドレスとユーザー名はすぐに解放され、同じアドレスで新しく登録できます。',
  'del.delete.mail': 'お送りしたメールの本文とあなたのメールアドレスは、メール配信の記録から消去されます。',
  'del.delete.grace': '残りのアカウント情報は 14 日後に完全に削除されます。元に戻すことはできません。',
  'del.delete.exportFirst': '必要なデータは、削除する前にダウンロードしてください。',
  'del.password': '現在のパスワード',
  'del.password.required': '現在のパスワードを入力してください。',
  'del.confirm': 'アカウントを削除すると元に戻せないことを理解しました',
  'del.confirm.required': '削除する前に、このチェックボックスをオンにしてください。',
  'del.submit': 'アカウントを削除する',
  'del.locked': ({ seconds }) => `パスワードの誤りが続いたため、${waitJa(seconds)}後にもう一度お試しください。`,
  'del.failed': 'アカウントを削除できませんでした。時間をおいてもう一度お試しください。',

  'del.goodbye.heading': 'アカウントを削除しました',
  'del.goodbye.text': 'ご利用ありがとうございました。すべての端末からログアウトしました。',
  'del.goodbye.purge': ({ date }) => `残りの記録は ${date} に完全に削除されます。`,
  'del.goodbye.register': '新しく登録する',
};

export const en = {
  'title.deleteAccount': 'Delete account | SalesMind',
  'del.heading': 'Download your data, delete your account',
  'del.loading': 'Loading your account…',
  'del.signedOut': 'Log in to use this page.',
  'del.toLogin': 'Log in',
  'del.signedInAs': 'Signed in as',
  'del.back': 'Back to your account',

  'del.export.heading': 'Download my data',
  'del.export.hint': 'A JSON file with your account, profile, signed-in devices, the record of changes to your account and the delivery status of the emails we sent you. It never contains your password.',
  'del.export.button': 'Download my data',
  'del.export.working': 'Preparing…',
  'del.export.done': 'The download has started.',
  'del.export.failed': 'The download failed. Please try again later.',
  'del.export.tooMany': ({ seconds }) => `Too many downloads. Please try again in ${waitEn(seconds)}.`,

  'del.delete.heading': 'Delete my account',
  'del.delete.now': 'You are signed out on every device at once and can never log in again.',
  'del.delete.free': 'Your email address and username are freed at once: you can sign up again with the same address.',
  'del.delete.mail': 'The text of the emails we sent you and your address are erased from our mail records.',
  'del.delete.grace': 'What is left of the account is removed for good after 14 days. This cannot be undone.',
  'del.delete.exportFirst': 'Download anything you want to keep before you delete the account.',
  'del.password': 'Current password',
  'del.password.required': 'Enter your current password.',
  'del.confirm': 'I understand that deleting my account cannot be undone',
  'del.confirm.required': 'Tick this box before deleting the account.',
  'del.submit': 'Delete my account',
  'del.locked': ({ seconds }) => `Too many wrong passwords. Please try again in ${waitEn(seconds)}.`,
  'del.failed': 'The account could not be deleted. Please try again later.',

  'del.goodbye.heading': 'Your account has been deleted',
  'del.goodbye.text': 'Thank you for using SalesMind. You have been signed out on every device.',
  'del.goodbye.purge': ({ date }) => `The remaining records are removed for good on ${date}.`,
  'del.goodbye.register': 'Sign up again',
};
