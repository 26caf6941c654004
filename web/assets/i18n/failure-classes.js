// What kind of failure a delivery, attempt or report was (the delivery dashboard's list, the
// latest failures and a delivery's detail).
// Japanese and English side by side; ../i18n.js merges every area into one table per language.

export const ja = {
  'dash.class.label': '失敗の種類',
  'dash.class.column': '種類',
  'dash.class.any': 'すべて',
  'dash.class.hard': 'ハード（宛先なし）',
  'dash.class.soft': 'ソフト（一時的）',
  'dash.class.throttled': '受信側の制限・拒否',
  'dash.class.auth': '認証の失敗',
  'dash.class.unknown': '不明',
  'dash.class.hint': '「受信側の制限・拒否」と「認証の失敗」は送信側の問題です（送信 IP の評判、送信量、SPF・DKIM・DMARC）。宛先のアドレスは停止されません。',
};

export const en = {
  'dash.class.label': 'Failure class',
  'dash.class.column': 'Class',
  'dash.class.any': 'Any',
  'dash.class.hard': 'Hard (no such address)',
  'dash.class.soft': 'Soft (temporary)',
  'dash.class.throttled': 'Throttled or blocked',
  'dash.class.auth': 'Authentication',
  'dash.class.unknown': 'Unknown',
  'dash.class.hint': '“Throttled or blocked” and “Authentication” are the sender’s problem (the sending IP’s reputation, the sending rate, SPF, DKIM and DMARC). The address is not suppressed.',
};
