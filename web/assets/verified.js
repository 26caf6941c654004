// After a successful email confirmation: count down five seconds, then open the login page.
// The user can go at once, or stop the countdown to stay (no one should be moved on a timer they cannot stop).

import { t, onLangChange } from './i18n.js';

const SECONDS = 5;
const LOGIN_URL = '/login.html';

const text = document.getElementById('countdown-text');
const bar = document.getElementById('countdown-bar');
const stopButton = document.getElementById('countdown-stop');
const statusLine = document.getElementById('countdown-status');

let remaining = SECONDS;
let stopped = false;

function render() {
  if (stopped) return;
  text.textContent = remaining > 0 ? t('verified.countdown', { n: remaining }) : t('verified.redirecting');
}

const timer = setInterval(() => {
  remaining -= 1;
  render();
  if (remaining <= 0) {
    clearInterval(timer);
    location.href = LOGIN_URL;
  }
}, 1000);

stopButton.addEventListener('click', () => {
  clearInterval(timer);
  stopped = true;
  document.getElementById('countdown').hidden = true;
  stopButton.hidden = true;
  statusLine.dataset.i18n = 'verified.stopped';
  statusLine.textContent = t('verified.stopped');
  document.getElementById('login-now').focus();
});

bar.classList.add('is-running');
onLangChange(render);
render();
