import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { appKeyPair, startStandIn, WebhookSender, type MemoryRepoContent, type StandIn } from '../../demo/github/index.js';
import { BASE_IMAGE, buildImage, compose, composeSkipReason, containerAddress, dockerHostAddress, hostNodeContext, removeImages } from '../helpers/compose.js';
import { PREBUILD_WORKFLOW } from '../helpers/github.js';
import { REPO_ROOT, tempDir } from '../helpers/tmp.js';

/**
 * compose.yaml as a user starts it (issue 11, "Running it"): PostgreSQL and two app
 * replicas built from the repository's Dockerfile, on the real Docker engine with
 * docker-compose. No registry on the internet is reachable, so the images come from the
 * local Debian base (helpers/compose.ts). GitHub is the stand-in, listening where the
 * containers reach the host. The same signed delivery goes to both replicas at once:
 * both answer, one dispatch happens. Everything created is removed afterwards.
 */
const skip = composeSkipReason();

(skip ? describe.skip : describe)('compose.yaml: PostgreSQL and two app replicas in Docker (issue 11)', () => {
  const SECRET = 'compose-webhook-secret';
  const project = `prebuilds-compose-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const built: string[] = [];
  const tmp = tempDir();
  const env = {
    NODE_IMAGE: `${project}/node:local`,
    POSTGRES_IMAGE: `${project}/postgres:local`,
    PREBUILDS_ENV_FILE: path.join(tmp.dir, 'app.env'),
  };
  let github: StandIn;
  let repo: MemoryRepoContent;
  let replicas: string[] = [];

  beforeAll(async () => {
    const keys = appKeyPair();
    github = await startStandIn({ appId: 1, publicKey: keys.publicKey, webhookSecret: SECRET, owner: 'compose', runner: 'none', host: dockerHostAddress() });
    repo = github.createMemoryRepo('one').content;
    const context = hostNodeContext();
    try {
      built.push(
        ...(await buildImage({ tag: env.NODE_IMAGE, context, dockerfile: path.join(REPO_ROOT, 'docker/node-local/Dockerfile'), args: { BASE_IMAGE } })),
      );
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
    built.push(...(await buildImage({ tag: env.POSTGRES_IMAGE, context: path.join(REPO_ROOT, 'docker/postgres'), args: { BASE_IMAGE } })));
    // The name docker-compose gives the app service's image (`<project>_app`), so `up --no-build` runs this build.
    built.push(...(await buildImage({ tag: `${project}_app`, context: REPO_ROOT, args: { NODE_IMAGE: env.NODE_IMAGE } })));
    const ghe = new URL(github.serverUrl).host;
    fs.writeFileSync(
      env.PREBUILDS_ENV_FILE,
      [
        'APP_ID=1',
        `PRIVATE_KEY=${keys.privateKey.trim().replace(/\n/g, '\\n')}`,
        `WEBHOOK_SECRET=${SECRET}`,
        `GHE_HOST=${ghe}`,
        'GHE_PROTOCOL=http',
        'NO_SMEE_SETUP=true',
        'LOG_LEVEL=warn',
        '',
      ].join('\n'),
    );
    await compose(project, env, 'up', '-d', '--no-build', '--scale', 'app=2', 'app');
    const ids = (await compose(project, env, 'ps', '-q', 'app')).split('\n').filter(Boolean);
    replicas = ids.map((id) => `http://${containerAddress(id)}:3000`);
    for (const url of replicas) {
      for (let i = 0; ; i++) {
        const up = await fetch(`${url}/ping`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        if (i >= 240) throw new Error(`replica ${url} did not answer /ping: ${await compose(project, env, 'logs', '--tail', '50', 'app')}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }, 45 * 60_000);

  afterAll(async () => {
    // Only this project's containers, network and volume, then the images this run's builds made.
    await compose(project, env, 'down', '-v', '--remove-orphans', '--timeout', '10').catch((error) => console.warn(String(error)));
    await removeImages([...built, env.NODE_IMAGE, env.POSTGRES_IMAGE, `${project}_app`]);
    await github?.stop();
    tmp.cleanup();
  }, 5 * 60_000);

  it('starts two replicas on PostgreSQL; the same signed delivery sent to both is answered by both and dispatched once', async () => {
    expect(replicas).toHaveLength(2);
    const sha = repo.commit({
      files: {
        '.devcontainer/devcontainer.json': '{ "image": "mcr.microsoft.com/devcontainers/base:debian" }',
        '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW,
      },
      message: 'a devcontainer',
    });
    const payload = await github.pushPayload('one', { branch: 'main' });
    const id = crypto.randomUUID();
    const answers = await Promise.all(
      replicas.map((url) => {
        const sender = new WebhookSender(SECRET, 1, 30_000);
        sender.url = `${url}/api/github/webhooks`;
        return sender.send('push', payload, { id });
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // The dispatch, then its check run (the end of the delivery's processing).
    for (let i = 0; i < 600 && github.checkRuns('one', { app: true }).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(github.dispatched().map((r) => r.inputs.sha)).toEqual([sha]);
    expect(github.checkRuns('one', { app: true }).map((c) => c.status)).toEqual(['in_progress']);
    expect(github.errors).toEqual([]);
  }, 120_000);
});
