// A real OpenID Connect provider on loopback for the single sign-on tests (never for production).
//
//   node provider.js <port>
//
// Issuer http://127.0.0.1:<port>, one confidential client (CLIENT_ID/CLIENT_SECRET below) whose
// redirect URI may be any portal callback on 127.0.0.1, and the people in ACCOUNTS. Its login
// page asks for an e-mail address and the password "idp-wachtwoord"; what the provider then
// asserts about the second factor (amr, acr) is the account's, so a test picks a person to pick
// an assertion. Consent is pre-agreed (a first-party client), so no consent page follows.
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;

const CLIENT_ID = 'werkend-leren';
const CLIENT_SECRET = 'werkend-leren-test-secret';
const PASSWORD = 'idp-wachtwoord';

// sub -> claims and what the login asserts.
const ACCOUNTS = {
  'anna-0001': {
    email: 'anna.bakker@sso-gemeente.example', email_verified: true, name: 'Anna Bakker',
    amr: ['pwd'],
  },
  'bram-0002': {
    email: 'bram.dewit@sso-gemeente.example', email_verified: true, name: 'Bram de Wit',
    amr: ['pwd', 'otp', 'mfa'],
  },
  'carla-0003': {
    email: 'carla.smit@sso-gemeente.example', email_verified: true, name: 'Carla Smit',
    amr: ['pwd'], acr: 'urn:sso-gemeente:substantieel',
  },
  'dirk-0004': {
    email: 'dirk.visser@sso-gemeente.example', email_verified: false, name: 'Dirk Visser',
    amr: ['pwd'],
  },
  'eva-0005': {
    email: 'eva.mulder@elders.example', email_verified: true, name: 'Eva Mulder',
    amr: ['pwd', 'mfa'],
  },
};

const byEmail = (email) => Object.entries(ACCOUNTS).find(
  ([, claims]) => claims.email === String(email || '').trim().toLowerCase(),
);

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [`http://127.0.0.1/accounts/oidc/callback/`],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    // amr and acr go into the ID token: the provider's word on the second factor.
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  acrValues: ['urn:sso-gemeente:basis', 'urn:sso-gemeente:substantieel'],
  findAccount: async (ctx, sub) => {
    const account = ACCOUNTS[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub, email: account.email, email_verified: account.email_verified, name: account.name,
      }),
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  // The portal's client is first party: the scopes it asks for are granted without a page.
  loadExistingGrant: async (ctx) => {
    const { Grant } = ctx.oidc.provider;
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return Grant.find(grantId);
    const grant = new Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['werkend-leren-test-cookie-key'] },
  pkce: { required: () => false },
  ttl: { Session: 600, Interaction: 600, Grant: 600 },
};

const provider = new Provider(issuer, configuration);

// Every test run gets a fresh portal port and organisation ids, so any portal callback on
// loopback is accepted; this provider is for tests only.
const CALLBACK = /^http:\/\/(127\.0\.0\.1|localhost):\d+\/accounts\/oidc\/[\w-]+\/login\/callback\/$/;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return CALLBACK.test(value);
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen bij de organisatie</title></head><body><main>
<h1>Inloggen bij de organisatie</h1>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">E-mailadres bij de organisatie</label>
<input id="login" name="login" type="email" autocomplete="username" required>
<label for="password">Wachtwoord bij de organisatie</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Inloggen bij de organisatie</button>
</form></main></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') {
      // Consent is pre-agreed (loadExistingGrant), so anything else is finished as is.
      await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(details.uid));
      return;
    }
    const form = await readForm(req);
    const found = byEmail(form.get('login'));
    if (!found || form.get('password') !== PASSWORD) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(details.uid, 'Onbekend e-mailadres of wachtwoord.'));
      return;
    }
    const [sub, account] = found;
    const login = { accountId: sub, amr: account.amr, remember: false };
    if (account.acr) login.acr = account.acr;
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(String(error));
  }
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
