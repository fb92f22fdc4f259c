/**
 * The setup the container-mode e2e files share (test/container/*.e2e.test.ts on the
 * fixture project): a private registry, a `dir:` store, temp dirs cleaned up, the bundled
 * action run in container mode, and what a prebuild may leave on the engine.
 */
import { fileURLToPath } from 'node:url';
import { runBundle, type ActionRun } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { docker, startRegistry, type TestRegistry } from '../helpers/docker.js';
import { BUILD_TIMEOUT } from './fixture.js';

/** The `prebuilds` CLI (built: lib/). */
export const cliMain = fileURLToPath(new URL('../../lib/src/cli/main.js', import.meta.url));
/** @devcontainers/cli from node_modules. */
export const devcontainerCli = fileURLToPath(new URL('../../node_modules/@devcontainers/cli/devcontainer.js', import.meta.url));

/** Manifest of a tag in the registry: its layer digests. */
export async function layers(registry: TestRegistry, repository: string, tag: string): Promise<string[]> {
  const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (!res.ok) throw new Error(`manifest ${repository}:${tag}: ${res.status}`);
  return ((await res.json()) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest);
}

/** `id reference` of the CLI's images of the test repositories (`vsc-container-repo-*`). */
function cliImages(): string[] {
  return docker('images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}', '--filter', 'reference=vsc-container-repo-*')
    .split('\n')
    .filter(Boolean);
}

/** Dangling image ids on the engine now. */
export function danglingImages(): Set<string> {
  return new Set(docker('images', '--all', '--quiet', '--no-trunc', '--filter', 'dangling=true').split('\n').filter(Boolean));
}

/** Whether an image was built from the fixture (its Dockerfile's apt step or its local Feature are in its history). */
export function fromFixture(id: string): boolean {
  try {
    return /no-install-recommends jq|hello-feature/.test(docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', id));
  } catch {
    return false; // gone meanwhile
  }
}

/** One container-mode e2e file's setup (registered with beforeAll/afterAll by {@link containerSuite}). */
export interface ContainerSuite {
  /** A private registry (Debian's docker-registry on a free 127.0.0.1 port). */
  registry: TestRegistry;
  /** A `dir:` store. */
  store: string;
  /** Temp dirs removed after the file. */
  dirs: string[];
  /** The bundled action in container mode into `registry`/prebuilds and `store`, plus `inputs`. */
  prebuild(workspace: string, inputs: Record<string, string>): Promise<ActionRun>;
  /** What a prebuild must leave behind on the engine: nothing of its own (images the CLI had before the file ran are not ours to judge). */
  leftovers(prebuildId: string, sha: string): { containers: string; images: string };
  /** Dangling images new since the file started that were built from the fixture. */
  newDanglingFromFixture(): string[];
}

/** Registers the shared setup of a container-mode e2e file; its fields are set once beforeAll ran. */
export function containerSuite(): ContainerSuite {
  const dangling = new Set<string>();
  const cliImagesBefore = new Set<string>();
  const suite: ContainerSuite = {
    registry: undefined as unknown as TestRegistry,
    store: '',
    dirs: [],
    prebuild: (workspace, inputs) =>
      runBundle(
        workspace,
        { 'container-mode': 'container', registry: `${suite.registry.host}/prebuilds`, store: `dir:${suite.store}`, ...inputs },
        suite.dirs,
        {},
        BUILD_TIMEOUT,
      ),
    leftovers(prebuildId, sha) {
      const labels = ['--filter', `label=prebuilds.prebuild=${prebuildId}`, '--filter', `label=prebuilds.sha=${sha}`];
      return {
        containers: docker('ps', '--all', '--quiet', ...labels),
        images: [
          docker('images', '--quiet', '--filter', `reference=${suite.registry.host}/*/*`),
          docker('images', '--quiet', ...labels),
          ...cliImages().filter((image) => !cliImagesBefore.has(image)),
        ]
          .join('')
          .trim(),
      };
    },
    newDanglingFromFixture: () => [...danglingImages()].filter((id) => !dangling.has(id) && fromFixture(id)),
  };
  beforeAll(async () => {
    suite.registry = await startRegistry();
    suite.store = await tempDir('container-store-');
    suite.dirs.push(suite.store);
    for (const id of danglingImages()) dangling.add(id);
    for (const image of cliImages()) cliImagesBefore.add(image);
  });
  afterAll(async () => {
    await suite.registry?.stop();
    await cleanup(suite.dirs);
  });
  return suite;
}
