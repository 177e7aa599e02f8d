// A real OpenID provider (oidc-provider, an OpenID-certified implementation) for the single sign-on tests.
//
//   node provider.js SETTINGS.json
//
// SETTINGS.json: {"port": 0, "client": {client_id, client_secret, redirect_uris}, "accounts": {ID: {email,
// email_verified}}}. Once listening it prints one line, `issuer <URL>`, so the tests know where it is.
//
// Development settings on purpose: plain http on 127.0.0.1, the built-in sign-in pages (devInteractions: the login
// form signs in whichever account id is typed, no password) and oidc-provider's built-in development signing key.
// A real provider serves https with its own keys; Civicly's side is the same either way.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = settings.accounts;

function findAccount(_ctx, id) {
  const account = accounts[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, email: account.email, email_verified: account.email_verified };
    },
  };
}

// Civicly is a first-party client: grant it `openid email` at once instead of asking for consent.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
  grant.addOIDCScope('openid email');
  await grant.save();
  return grant;
}

const listener = createServer();
listener.listen(settings.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${listener.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      ...settings.client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount,
    loadExistingGrant,
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    pkce: { required: () => true }, // Civicly must send a PKCE challenge, or the provider refuses it
    features: { devInteractions: { enabled: true } },
  });
  listener.on('request', provider.callback());
  process.stdout.write(`issuer ${issuer}\n`);
});
