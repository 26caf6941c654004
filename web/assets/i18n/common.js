// Texts every page shares: the language switch, the skip link and the links between the sign-up and login pages.
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

export const ja = {
  'lang.switch': 'English',
  'nav.skip': 'メインコンテンツへ移動',

  'link.register': '新規登録',
  'link.login': 'ログイン',
};

export const en = {
  'lang.switch': '日本語',
  'nav.skip': 'Skip to main content',

  'link.register': 'Sign up',
  'link.login': 'Log in',
};
