// bannin 監視キュー: loads the alert queue and renders it with DOM nodes only
// (text nodes only, never parsed as HTML), so alert data cannot inject markup.
'use strict';

const API = document.querySelector('main').dataset.api;
const REFRESH_MS = 15000;
const COLUMNS = 8;
const SEVERITY = {
  critical: '緊急 / Critical', high: '高 / High', medium: '中 / Medium',
  low: '低 / Low',
};
const STATUS = {
  new: '新規 / New', acknowledged: '確認済 / Acknowledged',
  resolved: '解決済 / Resolved', false_positive: '誤検知 / False positive',
};
const JST = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

const expanded = new Set();
let alerts = [];

function el(tag, props, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.map((child) => (child instanceof Node ? child : String(child ?? ''))));
  return node;
}

function jst(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? '—') : JST.format(date);
}

const label = (names, value) => names[value] ?? String(value ?? '—');
const token = (value) => String(value ?? '').toLowerCase().replace(/[^a-z_]/g, '');
const newest = (alert) => Date.parse(alert.last_seen ?? alert.first_seen ?? '') || 0;

function details(alert) {
  const section = (ja, en, body) => el('section', {}, el('h3', {}, `${ja} / ${en}`), body);
  const json = (value) => el('pre', {}, JSON.stringify(value ?? {}, null, 2));
  return el('div', { className: 'details' },
    section('対応手順', 'Runbook', el('p', { className: 'runbook' }, alert.runbook_ja || '—')),
    section('キー', 'Key', json(alert.key)),
    section('証跡', 'Evidence', json(alert.evidence)),
    el('p', { className: 'meta' },
      `ID ${alert.id} ・ 作成 / Created ${jst(alert.created_at)} ・ 更新 / Updated ${jst(alert.updated_at)}`));
}

function rows(alert) {
  const open = expanded.has(alert.id);
  const severity = token(alert.severity);
  const toggle = el('button', { type: 'button', className: 'toggle', title: '詳細 / Details' }, open ? '▾' : '▸');
  toggle.setAttribute('aria-expanded', String(open));
  const row = el('tr', { className: `alert sev-${severity}` },
    el('td', {}, toggle),
    el('td', {}, el('span', { className: `badge sev-${severity}` }, label(SEVERITY, alert.severity))),
    el('td', {}, el('span', { className: `status st-${token(alert.status)}` }, label(STATUS, alert.status))),
    el('td', { className: 'time' }, jst(alert.last_seen)),
    el('td', { className: 'time' }, jst(alert.first_seen)),
    el('td', {},
      el('div', {}, alert.title_ja),
      el('div', { className: 'en' }, alert.title_en),
      el('code', {}, alert.rule_id)),
    el('td', {}, alert.tenant),
    el('td', { className: 'num' }, alert.event_count));
  row.addEventListener('click', () => {
    if (!expanded.delete(alert.id)) expanded.add(alert.id);
    render();
  });
  if (!open) return [row];
  return [row, el('tr', { className: 'details-row' }, el('td', { colSpan: COLUMNS }, details(alert)))];
}

function render() {
  document.querySelector('#alerts tbody').replaceChildren(...alerts.flatMap(rows));
  document.getElementById('empty').hidden = alerts.length > 0;
}

function showError(message) {
  const banner = document.getElementById('error');
  banner.hidden = !message;
  banner.textContent = message ?? '';
}

// The API token lives in this tab's session storage only.
const TOKEN_KEY = 'bannin-token';
const login = document.getElementById('login');
let timer = null;

function askToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  login.hidden = false;
  showError(message);
}

login.addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  login.hidden = true;
  clearTimeout(timer);
  refresh();
});

async function refresh() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    askToken(null);
    return;
  }
  try {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    const response = await fetch(API, { headers, cache: 'no-store' });
    if (response.status === 401) {
      askToken('トークンが無効です / The token is not valid');
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    alerts = (Array.isArray(data.alerts) ? data.alerts : []).sort((a, b) => newest(b) - newest(a));
    document.getElementById('total').textContent = `(${data.total ?? alerts.length})`;
    document.getElementById('updated').textContent = `最終更新 / Updated ${jst(new Date())}`;
    showError(null);
    render();
  } catch (error) {
    showError(`アラートを取得できません / Cannot load alerts: ${error.message}`);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

refresh();
