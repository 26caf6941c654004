// Validation messages (err.*). The field-rule ones must stay word for word the same as the
// server's (FieldRuleTexts in services/Identity/Web/Messages.cs): a server error replaces a client
// one in the same place. tests/Identity.UnitTests/PageMessageTests.cs compares the two copies.
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

export const ja = {
  'err.username.required': 'ユーザー名を入力してください。',
  'err.username.length': 'ユーザー名は3〜150文字で入力してください。',
  'err.username.chars': 'ユーザー名に使えるのは文字、数字と . + - _ だけです。',
  'err.username.at': 'ユーザー名に @ は使えません（メールアドレスと区別するためです）。',
  'err.username.taken': 'このユーザー名はすでに使われています。',
  'err.email.required': 'メールアドレスを入力してください。',
  'err.email.invalid': '有効なメールアドレスを入力してください。',
  'err.password.required': 'パスワードを入力してください。',
  'err.password.short': 'パスワードは8文字以上にしてください。',
  'err.password.numeric': '数字だけのパスワードは使えません。',
  'err.password.similar': 'パスワードがユーザー名に似すぎています。',
  'err.password.common': 'よく使われるパスワードのため使えません。',
  'err.password.long': 'パスワードは128文字以内にしてください。',
  'err.industry.required': '業種を選択してください。',
  'err.industry.invalid': '業種の選択が正しくありません。',
  'err.sales_experience.invalid': '営業経験の選択が正しくありません。',
  'err.purpose.length': '利用目的は500文字以内で入力してください。',
  'err.code.required': '確認コードを入力してください。',
  'err.code.format': '確認コードはメールに書かれた6桁の数字です。',
  'err.identifier.required': 'ユーザー名またはメールアドレスを入力してください。',
  'err.passwordConfirm.required': '確認用のパスワードを入力してください。',
  'err.passwordConfirm.mismatch': 'パスワードが一致しません。',
};

export const en = {
  'err.username.required': 'Enter a username.',
  'err.username.length': 'Username must be 3 to 150 characters.',
  'err.username.chars': 'Username may contain only letters, digits and . + - _.',
  'err.username.at': 'A username cannot contain @, so that it is never mistaken for an email address.',
  'err.username.taken': 'This username is already taken.',
  'err.email.required': 'Enter an email address.',
  'err.email.invalid': 'Enter a valid email address.',
  'err.password.required': 'Enter a password.',
  'err.password.short': 'Password must be at least 8 characters.',
  'err.password.numeric': 'Password cannot be entirely numeric.',
  'err.password.similar': 'Password is too similar to the username.',
  'err.password.common': 'This password is too common.',
  'err.password.long': 'Password must be at most 128 characters.',
  'err.industry.required': 'Choose an industry.',
  'err.industry.invalid': 'Choose a valid industry.',
  'err.sales_experience.invalid': 'Choose a valid sales experience.',
  'err.purpose.length': 'Purpose must be at most 500 characters.',
  'err.code.required': 'Enter the confirmation code.',
  'err.code.format': 'The confirmation code is the 6 digits in the email.',
  'err.identifier.required': 'Enter your username or email address.',
  'err.passwordConfirm.required': 'Enter the new password again to confirm it.',
  'err.passwordConfirm.mismatch': 'The passwords do not match.',
};
