import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import type { PlatformDescriptor } from '../shared/platform/descriptor.js';

/** What bundling reads from a bot's descriptor. */
export type BundlingDescription = Pick<PlatformDescriptor, 'bundling'>;

/**
 * How a bot is bundled: defined once, read by the stack (NodejsFunction `bundling`) and by the benchmark
 * (esbuild's `build()`), so what is measured is what is deployed.
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
   * The bundle carries the AWS SDK v3 we pinned instead of the runtime's copy, so a runtime update cannot
   * change the code that runs, with one exception: the Lambda client, used only to hand a later job to the
   * function itself (shared/lambda/later-queue.ts), is imported on first use from the runtime's SDK (Node
   * 18+ runtimes resolve ES module imports through NODE_PATH). Bundled, its schemas and the REST-JSON
   * protocol added ~170 KB to every bot and ~25% to cold start; InvokeCommand has been stable since 2015.
   */
  external: ['@aws-sdk/client-lambda'],
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

/** NodejsFunction bundling for a bot (local esbuild, no Docker); the output is `index.mjs`. */
export function botBundling(bot: BundlingDescription): BundlingOptions {
  const aliases = Object.entries(bundleAliases(bot));
  return {
    minify: BOT_BUNDLE.minify,
    sourceMap: BOT_BUNDLE.sourcemap,
    target: BOT_BUNDLE.target,
    format: OutputFormat.ESM,
    mainFields: [...BOT_BUNDLE.mainFields],
    banner: BOT_BUNDLE.banner,
    bundleAwsSDK: true,
    externalModules: [...BOT_BUNDLE.external],
    // The CDK turns each `--alias:<name>` key into esbuild's `--alias:<name>=<path>` argument.
    esbuildArgs: Object.fromEntries(aliases.map(([name, path]) => [`--alias:${name}`, path])),
  };
}

/**
 * The same bundling as esbuild `build()` options, for the benchmark. `outfile` should end in `.mjs`, as the
 * Lambda's does, so Node loads it as ESM.
 */
export function esbuildOptions(bot: BundlingDescription, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
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
