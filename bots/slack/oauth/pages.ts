import type { RecordedResponse } from './http.js';

/**
 * The pages a person installing the app sees: one sentence on what happened and what to do next, never a
 * token, a code or a stack trace. Each has the status that says the same to a machine: 2xx installed, 4xx
 * for what a retry of the same request cannot change (a bad or used link, a cancelled or unsupported
 * installation), 503 only where trying again later can work (Slack or the table did not answer).
 */

export interface Page {
  readonly status: number;
  readonly title: string;
  /** Paragraphs of HTML, already escaped where they carry outside text. */
  readonly paragraphs: readonly string[];
}

/**
 * No caching (an install page is for one person, once), no referrer (the callback's URL carries the code
 * and state), and nothing but inline style runs.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
} as const;

export function writePage(response: RecordedResponse, page: Page): void {
  response.writeHead(page.status, PAGE_HEADERS);
  response.end(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      `<title>${escapeHtml(page.title)}</title>` +
      '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style>' +
      `</head><body><h1>${escapeHtml(page.title)}</h1>${page.paragraphs.map((p) => `<p>${p}</p>`).join('')}` +
      '</body></html>',
  );
}

const startAgain = (installPath: string) =>
  `Start again from <a href="${escapeHtml(installPath)}">the install link</a>.`;

export const pages = {
  installed(team: { id: string; name?: string }, notice?: string): Page {
    const name = escapeHtml(team.name ?? team.id);
    return {
      status: 200,
      title: 'Installed',
      paragraphs: [
        `The community bot is installed in <strong>${name}</strong>.`,
        ...(notice ? [escapeHtml(notice)] : []),
        `<a href="https://app.slack.com/client/${encodeURIComponent(team.id)}">Open ${name} in Slack</a>, ` +
          'invite the bot to a channel, and try <code>/community help</code>.',
      ],
    };
  },
  notOffered: (): Page => ({
    status: 404,
    title: 'Not offered here',
    paragraphs: ['This deployment serves one Slack workspace; installing it in others is not set up.'],
  }),
  notFound: (): Page => ({ status: 404, title: 'Not found', paragraphs: ['There is nothing here.'] }),
  methodNotAllowed: (): Page => ({
    status: 405,
    title: 'Method not allowed',
    paragraphs: ['Open this address in a browser.'],
  }),
  badState: (installPath: string): Page => ({
    status: 400,
    title: 'This link is not valid any more',
    paragraphs: [
      'It expired, was used already, or was opened in another browser than the one that started the ' +
        'installation. If you just installed the app, you are done.',
      startAgain(installPath),
    ],
  }),
  missingCode: (installPath: string, slackError: string | null): Page => ({
    status: 400,
    title: 'Slack did not send an authorization',
    paragraphs: [
      slackError
        ? `Slack answered: <code>${escapeHtml(slackError.slice(0, 100))}</code>.`
        : 'Nothing came back.',
      startAgain(installPath),
    ],
  }),
  codeUsed: (installPath: string): Page => ({
    status: 400,
    title: 'This authorization was used already',
    paragraphs: ['Slack accepts each authorization once, within ten minutes.', startAgain(installPath)],
  }),
  denied: (installPath: string): Page => ({
    status: 403,
    title: 'Installation cancelled',
    paragraphs: [
      'The app was not installed: the installation was cancelled on Slack.',
      startAgain(installPath),
    ],
  }),
  orgWide: (): Page => ({
    status: 403,
    title: 'Organisation-wide installation is not supported yet',
    paragraphs: [
      'Nothing was stored. Install the app in each workspace of the organisation instead: on the ' +
        'installation page, choose a workspace rather than the whole organisation. (An administrator can ' +
        "remove the organisation-wide installation in the organisation's app settings.)",
    ],
  }),
  inProgress: (): Page => ({
    status: 409,
    title: 'Installation in progress',
    paragraphs: ['This installation is being completed. Reload this page in a few seconds.'],
  }),
  unavailable: (installPath: string): Page => ({
    status: 503,
    title: 'Installation did not complete',
    paragraphs: ['Slack or our storage did not answer in time; nothing is lost.', startAgain(installPath)],
  }),
  misconfigured: (): Page => ({
    status: 503,
    title: 'Installation is not set up correctly',
    paragraphs: ['The operators of this deployment have been told. Please try again later.'],
  }),
};

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#x27;');
}
