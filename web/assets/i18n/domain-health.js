// The dashboard's sender-domain section (dashboard.html, dashboard/domain-health.js): SPF, DKIM
// and DMARC of each sender domain. Japanese and English side by side; ../i18n.js merges them.

export const ja = {
  'dh.heading': '送信ドメインの DNS 設定',
  'dh.hint': '送信に使うドメインごとに、DNS に公開されている SPF・DKIM・DMARC が、このメールサーバーの送信元アドレスと DKIM 鍵に合っているかを確かめます。結果は数分間保持されます。レコードを直したら「今すぐ確認」を押してください。',
  'dh.checkNow': '今すぐ確認',
  'dh.loading': '確認結果を読み込んでいます…',
  'dh.checking': 'DNS に問い合わせています…',
  'dh.checked': '確認しました。',
  'dh.failed': '送信ドメインの確認結果を読み込めませんでした。',
  'dh.empty': '送信ドメインがありません。',
  'dh.meta': ({ time, server, address }) => `${time} に確認（DNS: ${server}、DMARC レポートの宛先: ${address}）`,
  'dh.senders': ({ senders }) => `送信元: ${senders}`,
  'dh.status.ok': '正常',
  'dh.status.warn': '注意',
  'dh.status.fail': '問題あり',
  'dh.check.spf': 'SPF',
  'dh.check.dkim': 'DKIM',
  'dh.check.dmarc': 'DMARC',
  'dh.more': '公開レコードと詳細',
  'dh.records': '公開されているレコード',
};

export const en = {
  'dh.heading': 'Sender domains in DNS',
  'dh.hint': 'For each domain the senders use: do its SPF, DKIM and DMARC records, as published in DNS, match this mail server\'s sending addresses and DKIM key? Results are kept for a few minutes; after fixing a record, press "Check now".',
  'dh.checkNow': 'Check now',
  'dh.loading': 'Loading the results…',
  'dh.checking': 'Asking DNS…',
  'dh.checked': 'Checked.',
  'dh.failed': 'Could not load the sender domains\' results.',
  'dh.empty': 'There are no sender domains.',
  'dh.meta': ({ time, server, address }) => `Checked ${time} (DNS: ${server}; DMARC reports to ${address})`,
  'dh.senders': ({ senders }) => `Senders: ${senders}`,
  'dh.status.ok': 'OK',
  'dh.status.warn': 'Warning',
  'dh.status.fail': 'Problem',
  'dh.check.spf': 'SPF',
  'dh.check.dkim': 'DKIM',
  'dh.check.dmarc': 'DMARC',
  'dh.more': 'Published records and details',
  'dh.records': 'Published records',
};
