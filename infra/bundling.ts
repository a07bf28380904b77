import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';
import type { PlatformDescriptor } from '../shared/platform/descriptor.js';

/** What bundling reads from a bot's descriptor. */
export type BundlingDescription = Pick<PlatformDescriptor, 'bundling'>;

/**
 * How a bot is bundled: defined once, used by the stack ({@link botCode}) and by the benchmark and the
 * bundle tests (esbuild's `build()` with {@link esbuildOptions}), so what is measured is what is deployed.
 */
export const BOT_BUNDLE = {
  minify: true,
  sourcemap: false,
  target: 'node24',
  /** ESM, because the AWS SDK v3 and smithy tree-shake far better from their `module` builds. */
  format: 'esm',
  mainFields: ['module', 'main'],
  /** Bundled CommonJS dependencies call `require` for Node builtins, which ESM output does not define. */
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  /**
   * Nothing is external: the bundle carries the AWS SDK v3 we pinned instead of the runtime's copy, so a
   * runtime update cannot change the code that runs.
   */
  external: [],
  /**
   * Code splitting: what a bot imports with `import()` (the Lambda client for later jobs, Discord's REST
   * client, the SDK's rarely used parts) lands in chunk files that are read only when first used, instead
   * of being parsed at every cold start. NodejsFunction cannot split (it bundles to one `--outfile`), so the
   * stack bundles with esbuild itself ({@link botCode}).
   */
  splitting: true,
} as const;

const stub = (file: string) => fileURLToPath(new URL(`./bundle-stubs/${file}`, import.meta.url));

/** The file that stands in for modules a bot requires at load time but never uses (`bundling.unusedModules`). */
export const UNUSED_MODULE_STUB = stub('unused-module.cjs');

/**
 * Replacements in every bot bundle, for cold start (measured with `npm run bench`; each stub file says why):
 * - `node:http` handed over as CommonJS: importing it as an ES module loads Node's bundled undici through
 *   the builtin's lazy `WebSocket` getters (about 25 ms).
 * - the AWS SDK's default credential chain reduced to environment credentials, which Lambda always sets
 *   (about 15 ms: the STS/SSO clients and file, process and IMDS providers are no longer compiled).
 */
export const BOT_ALIASES: Readonly<Record<string, string>> = {
  http: stub('node-http.cjs'),
  'node:http': stub('node-http.cjs'),
  '@aws-sdk/credential-provider-node': stub('aws-credentials-from-env.mjs'),
};

/**
 * esbuild aliases for a bot: module name to the absolute path of the file that replaces it. The bot's own
 * replacements and unused modules come from its descriptor.
 */
export function bundleAliases({ bundling }: BundlingDescription): Record<string, string> {
  return {
    ...BOT_ALIASES,
    ...bundling.aliases,
    ...Object.fromEntries(bundling.unusedModules.map((name) => [name, UNUSED_MODULE_STUB])),
  };
}

/**
 * esbuild options for a bot: the entry becomes `<outdir>/index.mjs` (the Lambda handler `index.handler`, ESM
 * by its extension), lazily imported code goes to `<outdir>/chunks/`.
 */
export function esbuildOptions(bot: BundlingDescription, entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: BOT_BUNDLE.splitting,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    minify: BOT_BUNDLE.minify,
    sourcemap: BOT_BUNDLE.sourcemap,
    target: BOT_BUNDLE.target,
    format: BOT_BUNDLE.format,
    mainFields: [...BOT_BUNDLE.mainFields],
    banner: { js: BOT_BUNDLE.banner },
    external: [...BOT_BUNDLE.external],
    alias: bundleAliases(bot),
  };
}

/**
 * A bot's Lambda code: bundled on this machine with {@link esbuildOptions} (local esbuild, no Docker), the
 * asset hashed by its output. The Docker image is only CDK's required fallback: local bundling either
 * succeeds or throws, so it is never pulled.
 */
export function botCode(bot: Pick<PlatformDescriptor, 'bundling' | 'handlerEntry'>): Code {
  return Code.fromAsset(dirname(bot.handlerEntry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
      local: {
        tryBundle(outputDir) {
          buildSync(esbuildOptions(bot, bot.handlerEntry, outputDir));
          return true;
        },
      },
    },
  });
}
