// Japanese/English texts and the language switch shared by every page.
//
// Japanese is the default. The choice is remembered in localStorage, and `?lang=en` (or `ja`)
// in the address overrides it, so a link can open a page in a given language.
// Elements with `data-i18n="key"` get the text of that key; pages that build text themselves
// call t() and listen with onLangChange().

export const LANGUAGES = ['ja', 'en'];
const STORAGE_KEY = 'salesmind.lang';

// A wait of `seconds` in words: seconds under a minute, whole minutes (rounded up) from there.
function waitJa(seconds) {
  return seconds < 60 ? `${seconds}秒` : `${Math.ceil(seconds / 60)}分`;
}

function waitEn(seconds) {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

// Validation messages (err.*) must stay word for word the same as the server's
// (services/Identity/Registration/Messages.cs): a server error replaces a client one in the same place.
const MESSAGES = {
  ja: {
    'lang.switch': 'English',
    'nav.skip': 'メインコンテンツへ移動',

    'title.register': '新規登録 | SalesMind',
    'register.heading': 'アカウントを作成',
    'register.lead': '必要事項を入力してください。登録後、確認メールをお送りします。',
    'tag.required': '必須',
    'tag.optional': '任意',
    'field.username': 'ユーザー名',
    // The non-breaking spaces keep the list of symbols on one line.
    'hint.username': '3〜150文字。文字、数字と @\u00a0.\u00a0+\u00a0-\u00a0_ が使えます。',
    'field.email': 'メールアドレス',
    'hint.email': 'このアドレスに確認メールを送ります。',
    'field.password': 'パスワード',
    'hint.password': '8文字以上。数字だけのもの、ユーザー名に似たもの、よく使われるものは使えません。',
    'password.show': '表示',
    'password.hide': '隠す',
    'password.showLabel': 'パスワードを表示',
    'password.hideLabel': 'パスワードを隠す',
    'strength.label': '強さ:',
    'strength.1': '弱い',
    'strength.2': 'ふつう',
    'strength.3': '強い',
    'strength.4': 'とても強い',
    'field.industry': '業種',
    'industry.placeholder': '選択してください',
    'field.sales_experience': '営業経験',
    'sales.none': '指定しない',
    'choices.loading': '読み込み中…',
    'choices.failed': '選択肢を読み込めませんでした。',
    'choices.retry': '再読み込み',
    'field.purpose': '利用目的',
    'hint.purpose': '500文字以内',
    'purpose.counter': ({ n, max }) => `${n} / ${max}文字`,
    'register.submit': '登録する',
    'form.sending': '送信中…',
    'register.haveAccount': 'すでにアカウントをお持ちの方は',
    'status.fix': '入力内容を確認してください。',
    'status.tooMany': '試行回数が多すぎます。しばらく待ってからもう一度お試しください。',
    'status.generic': '登録を完了できませんでした。時間をおいてもう一度お試しください。',
    'status.network': 'サーバーに接続できませんでした。接続を確認して、もう一度お試しください。',
    'sent.heading': '確認メールを送信しました',
    'sent.before': '',
    'sent.after': ' 宛てに確認メールを送信しました。メール内のリンクを開いて登録を完了してください。',
    'sent.note': 'メールが届かない場合は、迷惑メールフォルダもご確認ください。',

    'err.username.required': 'ユーザー名を入力してください。',
    'err.username.length': 'ユーザー名は3〜150文字で入力してください。',
    'err.username.chars': 'ユーザー名に使えるのは文字、数字と @ . + - _ だけです。',
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

    'link.register': '新規登録',
    'link.login': 'ログイン',

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

    'title.login': 'ログイン | SalesMind',
    'login.heading': 'ログイン',
    'field.identifier': 'ユーザー名またはメールアドレス',
    'err.identifier.required': 'ユーザー名またはメールアドレスを入力してください。',
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

    'title.account': 'アカウント | SalesMind',
    'account.heading': 'アカウント',
    'account.loading': 'アカウント情報を読み込んでいます…',
    'account.failed': 'アカウント情報を読み込めませんでした。',
    'account.verifiedAt': 'メールアドレス確認日時',
    'account.notVerified': '未確認',
    'account.notSet': '未設定',
    'account.logout': 'ログアウト',
    'account.loggingOut': 'ログアウト中…',
    'account.logoutFailed': 'ログアウトできませんでした。時間をおいてもう一度お試しください。',

    'login.forgot': 'パスワードをお忘れですか?',

    'title.forgot': 'パスワードの再設定 | SalesMind',
    'forgot.heading': 'パスワードの再設定',
    'forgot.lead': 'アカウントのメールアドレスを入力してください。パスワードを再設定するためのリンクをお送りします。',
    'forgot.submit': '再設定用のリンクを送る',
    'forgot.failed': 'リクエストを送信できませんでした。時間をおいてもう一度お試しください。',
    'forgot.remembered': 'パスワードを思い出した方は',
    'forgot.done.heading': 'メールをご確認ください',
    'forgot.done.body': 'このメールアドレスのアカウントがあれば、パスワードを再設定するためのリンクをお送りしました。リンクの有効期限は1時間です。',
    'forgot.done.address': '入力したメールアドレス:',
    'forgot.done.retry': '別のメールアドレスで試す',

    'title.reset': '新しいパスワードの設定 | SalesMind',
    'reset.heading': '新しいパスワードを設定',
    'reset.lead': '新しいパスワードを入力してください。変更すると、ログイン中のすべての端末からログアウトします。',
    'field.newPassword': '新しいパスワード',
    'field.passwordConfirm': '新しいパスワード（確認）',
    'hint.passwordConfirm': '確認のため、同じパスワードをもう一度入力してください。',
    'err.passwordConfirm.required': '確認用のパスワードを入力してください。',
    'err.passwordConfirm.mismatch': 'パスワードが一致しません。',
    'password.showAllLabel': 'パスワードを表示',
    'password.hideAllLabel': 'パスワードを隠す',
    'reset.submit': 'パスワードを変更する',
    'reset.failed': 'パスワードを変更できませんでした。時間をおいてもう一度お試しください。',
    'reset.done.heading': 'パスワードを変更しました',
    'reset.done.body': 'パスワードを変更しました。新しいパスワードでログインしてください。',
    'reset.done.note': 'ログイン中だったすべての端末からログアウトしました。',
    'reset.invalid.heading': 'このリンクは使えません',
    'reset.invalid.body': 'パスワード再設定用のリンクが正しくないか、有効期限（1時間）が切れているか、すでに使用されています。新しいリンクをお送りしますので、もう一度お申し込みください。',
    'reset.invalid.request': '新しいリンクを申し込む',

    // The email-template admin page (admin.html) and its link on the account page.
    'account.admin': '管理: メールテンプレート',
    'title.admin': 'メールテンプレート管理 | SalesMind',
    'admin.heading': 'メールテンプレート管理',
    'admin.links': '関連ページ',
    'admin.toAccount': 'アカウント',
    'admin.apiDocs': 'API リファレンス',
    'admin.loading': '読み込んでいます…',
    'admin.signedOut': 'このページを使うには、管理者のアカウントでログインしてください。',
    'admin.forbidden': 'このページは管理者だけが使えます。このアカウントには管理者の権限がありません。',
    'admin.failed': '管理画面を読み込めませんでした。',
    'admin.signedInAs': ({ username }) => `${username} として管理しています。変更はすべて監査ログに記録されます。`,
    'admin.generic': '操作を完了できませんでした。時間をおいてもう一度お試しください。',
    'admin.discard': '保存していない変更があります。破棄してよろしいですか?',

    'admin.templates.heading': 'テンプレート',
    'admin.templates.hint': '編集するテンプレートを選んでください。',
    'admin.templates.failed': 'テンプレートを読み込めませんでした。',
    'admin.builtIn': '標準',
    'admin.custom': 'カスタム',
    'admin.localeSummary': ({ locale, active, latest }) =>
      `${locale}: ${active ? `有効 v${active}` : '有効な版なし'} / 最新 v${latest}`,
    'admin.locale': '言語',
    'admin.templateSender': 'このテンプレートの送信元',
    'admin.templateSender.save': '変更する',
    'admin.templateSender.default': ({ address }) => `既定の送信元（${address}）`,
    'admin.templateSender.saved': '送信元を変更しました。',
    'admin.base': ({ version, active }) => `バージョン ${version}${active ? '（有効）' : ''}をもとに編集しています。`,
    'admin.base.changed': '未保存の変更があります。',
    'admin.base.none': 'この言語にはまだバージョンがありません。最初のバージョンを書いてください。',
    'admin.field.subject': '件名',
    'admin.field.html': 'HTML 版',
    'admin.field.text': 'テキスト版',
    'admin.variables.heading': '使える変数',
    'admin.variables.hint': '押すと、最後に編集していた欄のカーソル位置に挿入します。',
    'admin.variables.insert': ({ name }) => `@Model.${name} を挿入`,
    'admin.variables.sample': ({ sample }) => `例: ${sample}`,
    'admin.problemAt': ({ line, column, message }) => `${line}行目 ${column}文字目: ${message}`,
    'admin.problem.goto': '移動',
    'admin.problem.gotoLabel': ({ line, column }) => `${line}行目 ${column}文字目へ移動`,

    'admin.preview.heading': 'プレビュー',
    'admin.preview.from': '差出人',
    'admin.preview.subject': '件名',
    'admin.preview.text': 'テキスト版',
    'admin.preview.frameTitle': 'HTML 版のプレビュー',
    'admin.preview.stale': 'テンプレートに問題があるため、プレビューは更新されていません。各欄のエラーを確認してください。',
    'admin.preview.failed': 'プレビューを作成できませんでした。',
    'admin.preview.empty': '件名・HTML 版・テキスト版を入力するとプレビューが表示されます。',

    'admin.save.heading': '新しいバージョンとして保存',
    'admin.save.note': 'メモ',
    'admin.save.noteHint': '何を変えたか（バージョン一覧と監査ログに残ります）。',
    'admin.save.activate': '保存したらすぐ有効にする（次のメールから使われます）',
    'admin.save.submit': '保存する',
    'admin.save.saving': '保存中…',
    'admin.save.saved': ({ version }) => `バージョン ${version} を保存しました（まだ有効ではありません）。`,
    'admin.save.savedActive': ({ version }) => `バージョン ${version} を保存し、有効にしました。`,
    'admin.save.invalid': 'テンプレートに問題があるため保存できませんでした。各欄のエラーを確認してください。',

    'admin.versions.heading': 'バージョン',
    'admin.versions.version': '版',
    'admin.versions.state': '状態',
    'admin.versions.note': 'メモ',
    'admin.versions.by': '作成者',
    'admin.versions.at': '作成日時',
    'admin.versions.actions': '操作',
    'admin.versions.active': '有効',
    'admin.versions.inactive': '—',
    'admin.versions.view': '表示',
    'admin.versions.viewLabel': ({ version }) => `バージョン ${version} をエディターに読み込む`,
    'admin.versions.activate': '有効にする',
    'admin.versions.activateLabel': ({ version }) => `バージョン ${version} を有効にする`,
    'admin.versions.activated': ({ version }) => `バージョン ${version} を有効にしました。次のメールから使われます。`,
    'admin.versions.loaded': ({ version }) => `バージョン ${version} をエディターに読み込みました。`,
    'admin.versions.failed': 'バージョンを読み込めませんでした。',
    'admin.versions.none': 'まだバージョンがありません。',

    'admin.test.heading': 'テスト送信',
    'admin.test.hint': 'エディターの内容（保存前でも）を、実際の配信経路でこのアドレスに送ります。',
    'admin.test.to': '送信先メールアドレス',
    'admin.test.submit': 'テスト送信',
    'admin.test.delivery': '配信 ID:',
    'admin.test.status': '状態:',
    'admin.test.timeout': 'まだ完了していません。配信は続いています。しばらくしてから、もう一度テスト送信の状態を確認してください。',
    'admin.delivery.queued': '送信待ち',
    'admin.delivery.sending': '送信中',
    'admin.delivery.sent': '送信済み（メールサーバーが受け付けました）',
    'admin.delivery.deferred': '再試行待ち',
    'admin.delivery.failed': '失敗',
    'admin.delivery.abandoned': '断念（再試行の上限に達しました）',

    'admin.senders.heading': '送信元アドレス',
    'admin.senders.hint': '送信元を選んでいないテンプレートは、既定の送信元から送られます。',
    'admin.senders.address': 'アドレス',
    'admin.senders.displayName': '表示名',
    'admin.senders.replyTo': '返信先',
    'admin.senders.usedBy': '使っているテンプレート',
    'admin.senders.default': '既定',
    'admin.senders.add': '送信元を追加',
    'admin.senders.makeDefaultNow': '既定の送信元にする',
    'admin.senders.addSubmit': '追加する',
    'admin.senders.makeDefault': '既定にする',
    'admin.senders.makeDefaultLabel': ({ address }) => `${address} を既定の送信元にする`,
    'admin.senders.delete': '削除',
    'admin.senders.deleteLabel': ({ address }) => `${address} を削除`,
    'admin.senders.confirmDelete': ({ address }) => `送信元 ${address} を削除しますか?`,
    'admin.senders.added': ({ address }) => `${address} を追加しました。`,
    'admin.senders.madeDefault': ({ address }) => `${address} を既定の送信元にしました。`,
    'admin.senders.deleted': ({ address }) => `${address} を削除しました。`,
    'admin.senders.failed': '送信元を読み込めませんでした。',
    'admin.senders.fix': '入力内容を確認してください。',
    'admin.senders.nameRequired': '表示名を入力してください。',
    'admin.senders.none': 'なし',

    'admin.audit.heading': '最近の変更',
    'admin.audit.refresh': '更新',
    'admin.audit.failed': '監査ログを読み込めませんでした。',
    'admin.audit.empty': 'まだ変更はありません。',
    'admin.audit.changes': '変更内容',
    'admin.audit.before': '変更前',
    'admin.audit.after': '変更後',

  },
  en: {
    'lang.switch': '日本語',
    'nav.skip': 'Skip to main content',

    'title.register': 'Sign up | SalesMind',
    'register.heading': 'Create your account',
    'register.lead': 'Fill in the form below. We will send you an email to confirm your address.',
    'tag.required': 'Required',
    'tag.optional': 'Optional',
    'field.username': 'Username',
    'hint.username': '3 to 150 characters: letters, digits and @\u00a0.\u00a0+\u00a0-\u00a0_',
    'field.email': 'Email address',
    'hint.email': 'We will send a confirmation email to this address.',
    'field.password': 'Password',
    'hint.password': 'At least 8 characters. It cannot be only digits, similar to your username, or a commonly used password.',
    'password.show': 'Show',
    'password.hide': 'Hide',
    'password.showLabel': 'Show password',
    'password.hideLabel': 'Hide password',
    'strength.label': 'Strength:',
    'strength.1': 'Weak',
    'strength.2': 'Fair',
    'strength.3': 'Strong',
    'strength.4': 'Very strong',
    'field.industry': 'Industry',
    'industry.placeholder': 'Choose an industry',
    'field.sales_experience': 'Sales experience',
    'sales.none': 'Not specified',
    'choices.loading': 'Loading…',
    'choices.failed': 'The choices could not be loaded.',
    'choices.retry': 'Try again',
    'field.purpose': 'Purpose',
    'hint.purpose': 'Up to 500 characters.',
    'purpose.counter': ({ n, max }) => `${n} / ${max} characters`,
    'register.submit': 'Sign up',
    'form.sending': 'Sending…',
    'register.haveAccount': 'Already have an account?',
    'status.fix': 'Please check the highlighted fields.',
    'status.tooMany': 'Too many attempts. Please wait a while and try again.',
    'status.generic': 'We could not complete your sign-up. Please try again in a moment.',
    'status.network': 'We could not reach the server. Check your connection and try again.',
    'sent.heading': 'Check your email',
    'sent.before': 'We sent a confirmation email to ',
    'sent.after': '. Open the link in it to finish signing up.',
    'sent.note': 'If it does not arrive, please also check your spam folder.',

    'err.username.required': 'Enter a username.',
    'err.username.length': 'Username must be 3 to 150 characters.',
    'err.username.chars': 'Username may contain only letters, digits and @ . + - _.',
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

    'link.register': 'Sign up',
    'link.login': 'Log in',

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

    'title.login': 'Log in | SalesMind',
    'login.heading': 'Log in',
    'field.identifier': 'Username or email address',
    'err.identifier.required': 'Enter your username or email address.',
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

    'title.account': 'Your account | SalesMind',
    'account.heading': 'Your account',
    'account.loading': 'Loading your account…',
    'account.failed': 'Your account details could not be loaded.',
    'account.verifiedAt': 'Email confirmed on',
    'account.notVerified': 'Not confirmed',
    'account.notSet': 'Not provided',
    'account.logout': 'Log out',
    'account.loggingOut': 'Logging out…',
    'account.logoutFailed': 'We could not log you out. Please try again in a moment.',

    'login.forgot': 'Forgot your password?',

    'title.forgot': 'Reset your password | SalesMind',
    'forgot.heading': 'Reset your password',
    'forgot.lead': 'Enter the email address of your account and we will send you a link to reset your password.',
    'forgot.submit': 'Send the reset link',
    'forgot.failed': 'We could not send your request. Please try again in a moment.',
    'forgot.remembered': 'Remembered your password?',
    'forgot.done.heading': 'Check your email',
    'forgot.done.body': 'If an account with this address exists, we have sent a link to reset the password. It works for 1 hour.',
    'forgot.done.address': 'Address you entered:',
    'forgot.done.retry': 'Try another address',

    'title.reset': 'Set a new password | SalesMind',
    'reset.heading': 'Set a new password',
    'reset.lead': 'Choose a new password. Changing it logs you out on every device.',
    'field.newPassword': 'New password',
    'field.passwordConfirm': 'Confirm the new password',
    'hint.passwordConfirm': 'Type the same password again.',
    'err.passwordConfirm.required': 'Enter the new password again to confirm it.',
    'err.passwordConfirm.mismatch': 'The passwords do not match.',
    'password.showAllLabel': 'Show passwords',
    'password.hideAllLabel': 'Hide passwords',
    'reset.submit': 'Change password',
    'reset.failed': 'We could not change your password. Please try again in a moment.',
    'reset.done.heading': 'Password changed',
    'reset.done.body': 'Your password was changed. Log in with the new one.',
    'reset.done.note': 'Every device that was logged in has been logged out.',
    'reset.invalid.heading': 'This link cannot be used',
    'reset.invalid.body': 'The password reset link is wrong, has expired (links work for 1 hour) or has already been used. Please request a new one.',
    'reset.invalid.request': 'Request a new link',

    'account.admin': 'Admin: email templates',
    'title.admin': 'Email templates | SalesMind',
    'admin.heading': 'Email templates',
    'admin.links': 'Related pages',
    'admin.toAccount': 'Your account',
    'admin.apiDocs': 'API reference',
    'admin.loading': 'Loading…',
    'admin.signedOut': 'Log in with an admin account to use this page.',
    'admin.forbidden': 'This page is for admins only, and this account is not an admin.',
    'admin.failed': 'The admin page could not be loaded.',
    'admin.signedInAs': ({ username }) => `Signed in as ${username}. Every change is recorded in the audit log.`,
    'admin.generic': 'That did not work. Please try again in a moment.',
    'admin.discard': 'You have unsaved changes. Discard them?',

    'admin.templates.heading': 'Templates',
    'admin.templates.hint': 'Choose a template to edit.',
    'admin.templates.failed': 'The templates could not be loaded.',
    'admin.builtIn': 'Built-in',
    'admin.custom': 'Custom',
    'admin.localeSummary': ({ locale, active, latest }) =>
      `${locale}: ${active ? `active v${active}` : 'no active version'} / latest v${latest}`,
    'admin.locale': 'Language',
    'admin.templateSender': 'Sender for this template',
    'admin.templateSender.save': 'Change',
    'admin.templateSender.default': ({ address }) => `The default sender (${address})`,
    'admin.templateSender.saved': 'The sender was changed.',
    'admin.base': ({ version, active }) => `Editing from version ${version}${active ? ' (active)' : ''}.`,
    'admin.base.changed': 'There are unsaved changes.',
    'admin.base.none': 'This language has no version yet. Write the first one.',
    'admin.field.subject': 'Subject',
    'admin.field.html': 'HTML version',
    'admin.field.text': 'Text version',
    'admin.variables.heading': 'Variables',
    'admin.variables.hint': 'Press one to insert it at the cursor of the field you last edited.',
    'admin.variables.insert': ({ name }) => `Insert @Model.${name}`,
    'admin.variables.sample': ({ sample }) => `e.g. ${sample}`,
    'admin.problemAt': ({ line, column, message }) => `Line ${line}, column ${column}: ${message}`,
    'admin.problem.goto': 'Go there',
    'admin.problem.gotoLabel': ({ line, column }) => `Go to line ${line}, column ${column}`,

    'admin.preview.heading': 'Preview',
    'admin.preview.from': 'From',
    'admin.preview.subject': 'Subject',
    'admin.preview.text': 'Text version',
    'admin.preview.frameTitle': 'Preview of the HTML version',
    'admin.preview.stale': 'The template has problems, so the preview is out of date. See the errors under the fields.',
    'admin.preview.failed': 'The preview could not be made.',
    'admin.preview.empty': 'Fill in the subject, HTML and text versions to see a preview.',

    'admin.save.heading': 'Save as a new version',
    'admin.save.note': 'Note',
    'admin.save.noteHint': 'What changed (shown in the versions list and the audit log).',
    'admin.save.activate': 'Activate it now (used from the next email on)',
    'admin.save.submit': 'Save',
    'admin.save.saving': 'Saving…',
    'admin.save.saved': ({ version }) => `Version ${version} was saved (not active yet).`,
    'admin.save.savedActive': ({ version }) => `Version ${version} was saved and is now active.`,
    'admin.save.invalid': 'The template has problems and was not saved. See the errors under the fields.',

    'admin.versions.heading': 'Versions',
    'admin.versions.version': 'Version',
    'admin.versions.state': 'State',
    'admin.versions.note': 'Note',
    'admin.versions.by': 'By',
    'admin.versions.at': 'Created',
    'admin.versions.actions': 'Actions',
    'admin.versions.active': 'Active',
    'admin.versions.inactive': '—',
    'admin.versions.view': 'View',
    'admin.versions.viewLabel': ({ version }) => `Load version ${version} into the editor`,
    'admin.versions.activate': 'Activate',
    'admin.versions.activateLabel': ({ version }) => `Activate version ${version}`,
    'admin.versions.activated': ({ version }) => `Version ${version} is now active: the next emails use it.`,
    'admin.versions.loaded': ({ version }) => `Version ${version} is in the editor.`,
    'admin.versions.failed': 'The versions could not be loaded.',
    'admin.versions.none': 'No versions yet.',

    'admin.test.heading': 'Test send',
    'admin.test.hint': 'Sends what is in the editor (saved or not) to this address, through the real delivery pipeline.',
    'admin.test.to': 'Send to',
    'admin.test.submit': 'Send a test',
    'admin.test.delivery': 'Delivery ID:',
    'admin.test.status': 'Status:',
    'admin.test.timeout': 'Not finished yet; the delivery goes on. Send again later to check.',
    'admin.delivery.queued': 'Queued',
    'admin.delivery.sending': 'Sending',
    'admin.delivery.sent': 'Sent (accepted by the mail server)',
    'admin.delivery.deferred': 'Deferred, will retry',
    'admin.delivery.failed': 'Failed',
    'admin.delivery.abandoned': 'Abandoned (out of retries)',

    'admin.senders.heading': 'Sender addresses',
    'admin.senders.hint': 'Templates without a sender of their own send from the default sender.',
    'admin.senders.address': 'Address',
    'admin.senders.displayName': 'Display name',
    'admin.senders.replyTo': 'Reply-to',
    'admin.senders.usedBy': 'Used by',
    'admin.senders.default': 'Default',
    'admin.senders.add': 'Add a sender',
    'admin.senders.makeDefaultNow': 'Make it the default sender',
    'admin.senders.addSubmit': 'Add',
    'admin.senders.makeDefault': 'Make default',
    'admin.senders.makeDefaultLabel': ({ address }) => `Make ${address} the default sender`,
    'admin.senders.delete': 'Delete',
    'admin.senders.deleteLabel': ({ address }) => `Delete ${address}`,
    'admin.senders.confirmDelete': ({ address }) => `Delete the sender ${address}?`,
    'admin.senders.added': ({ address }) => `${address} was added.`,
    'admin.senders.madeDefault': ({ address }) => `${address} is now the default sender.`,
    'admin.senders.deleted': ({ address }) => `${address} was deleted.`,
    'admin.senders.failed': 'The senders could not be loaded.',
    'admin.senders.fix': 'Please check the highlighted fields.',
    'admin.senders.nameRequired': 'Enter a display name.',
    'admin.senders.none': 'None',

    'admin.audit.heading': 'Recent changes',
    'admin.audit.refresh': 'Refresh',
    'admin.audit.failed': 'The audit log could not be loaded.',
    'admin.audit.empty': 'No changes yet.',
    'admin.audit.changes': 'Changes',
    'admin.audit.before': 'Before',
    'admin.audit.after': 'After',

  },
};

let current = initialLanguage();

function initialLanguage() {
  const requested = new URLSearchParams(location.search).get('lang');
  if (LANGUAGES.includes(requested)) {
    remember(requested);
    return requested;
  }
  return LANGUAGES.includes(stored()) ? stored() : 'ja';
}

// Storage can be unavailable (private modes, blocked cookies): the page still works, it just forgets.
function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function remember(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // ignore: see stored()
  }
}

/** The current language code, 'ja' or 'en'. */
export function lang() {
  return current;
}

/** The text for a key in the current language; `params` fill in texts that are functions. */
export function t(key, params = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.ja[key];
  if (text === undefined) return key;
  return typeof text === 'function' ? text(params) : text;
}

/** Switches the language, remembers it, re-translates the page and tells listeners. */
export function setLang(language) {
  if (!LANGUAGES.includes(language) || language === current) return;
  current = language;
  remember(language);
  translatePage();
  document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: language } }));
}

/** Calls `listener(lang)` after every language switch. */
export function onLangChange(listener) {
  document.addEventListener('langchange', () => listener(current));
}

/** Applies the current language to `<html lang>`, every `[data-i18n]` element and the switch button. */
export function translatePage() {
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    // The button names the language it switches to, written in that language.
    toggle.lang = current === 'ja' ? 'en' : 'ja';
    toggle.textContent = t('lang.switch');
  }
}

document.getElementById('lang-toggle')?.addEventListener('click', () => {
  setLang(current === 'ja' ? 'en' : 'ja');
});

translatePage();
