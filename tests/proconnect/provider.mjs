// A real OpenID provider (panva's oidc-provider, the engine ProConnect is built on), configured
// like ProConnect: issuer under /api/v2, one scope per claim, acr eidas1, `iss` in the
// authorization response, userinfo as a signed JWT, RP-initiated logout.
// Started by tests/proconnect/conftest.py: node provider.mjs, settings in the environment.
// Test-only controls, under /api/v2/test/: the people who may sign in, and faults to inject.
import http from 'node:http';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, generateKeyPair, importJWK } from 'jose';

const PREFIX = '/api/v2';
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}${PREFIX}`;
const jwks = JSON.parse(process.env.JWKS);
const CLAIMS = ['given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id'];
const accounts = new Map(); // login -> claims
let faults = {}; // { userinfo: 'bad-signature' | 'unsigned' | 'json' | 'missing-email' | 'other-sub', id_token: 'expired' }

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(' '),
    post_logout_redirect_uris: process.env.LOGOUT_URIS.split(' '),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
  }],
  jwks,
  claims: Object.fromEntries([['openid', ['sub']], ...CLAIMS.map((c) => [c, [c]])]),
  scopes: ['openid', ...CLAIMS],
  acrValues: ['eidas1'],
  routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo', jwks: '/jwks', end_session: '/session/end' },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource },
  },
  interactions: { url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}` },
  pkce: { required: () => false },
  cookies: { keys: ['cle-des-cookies-du-fournisseur-de-test'] },
  async findAccount(ctx, id) {
    const claims = accounts.get(id);
    return claims && { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

async function logoutSource(ctx, form) {
  ctx.body = page('Déconnexion de ProConnect', `${form}
    <button type="submit" form="op.logoutForm" value="yes" name="logout">Se déconnecter de ProConnect</button>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return req.headers['content-type']?.includes('json') ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
}

async function sign(payload, key) {
  const jwk = jwks.keys[0];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
    .sign(key || await importJWK(jwk, 'RS256'));
}

const b64 = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');

async function tamperUserinfo(ctx) {
  const claims = decodeJwt(ctx.body);
  switch (faults.userinfo) {
    case 'bad-signature': ctx.body = await sign(claims, (await generateKeyPair('RS256')).privateKey); break;
    case 'unsigned': ctx.body = `${b64({ alg: 'none' })}.${b64(claims)}.`; break;
    case 'json': ctx.type = 'application/json'; ctx.body = claims; break;
    case 'missing-email': delete claims.email; ctx.body = await sign(claims); break;
    case 'other-sub': claims.sub = 'quelqu-un-d-autre'; ctx.body = await sign(claims); break;
    default: break;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/accounts' && ctx.method === 'POST') {
    const { login, ...claims } = await readForm(ctx.req);
    accounts.set(login, claims);
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/test/faults' && ctx.method === 'POST') {
    faults = await readForm(ctx.req);
    ctx.status = 204;
    return;
  }
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login|\/abort)?$/);
  if (match) {
    await interaction(ctx, match[1], match[2]);
    return;
  }
  await next();
  if (ctx.path === '/userinfo' && ctx.status === 200 && faults.userinfo) await tamperUserinfo(ctx);
  if (ctx.path === '/token' && ctx.status === 200 && faults.id_token === 'expired') {
    const claims = decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    ctx.body = { ...ctx.body, id_token: await sign({ ...claims, iat: now - 3600, exp: now - 1800 }) };
  }
});

async function interaction(ctx, uid, action) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!action) {
    ctx.type = 'html';
    ctx.body = page('Connexion au fournisseur d’identité de test', `
      <form method="post" action="${PREFIX}/interaction/${uid}/login">
        <label for="login">Identifiant</label> <input id="login" name="login" required>
        <button type="submit">Se connecter</button>
      </form>
      <form method="post" action="${PREFIX}/interaction/${uid}/abort"><button type="submit">Refuser</button></form>`);
    return;
  }
  let result;
  const { login } = await readForm(ctx.req);
  if (action === '/abort') {
    result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  } else if (!accounts.has(login)) {
    ctx.status = 401; ctx.type = 'html'; ctx.body = page('Identifiant inconnu', '');
    return;
  } else {
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    result = { login: { accountId: login, acr: 'eidas1' }, consent: { grantId: await grant.save() } };
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (!req.url.startsWith(PREFIX)) { res.statusCode = 404; res.end(); return; }
  req.originalUrl = req.url;
  req.url = req.url.slice(PREFIX.length) || '/';
  callback(req, res);
}).listen(port, '127.0.0.1', () => console.log(`prêt ${issuer}`));
