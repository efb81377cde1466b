/**
 * ARN patterns of policy Resource elements (`*` and `?` wildcards, case-sensitive) as regular
 * expressions, for the caveats that say which pattern a request matched or missed. The engine's own
 * matcher decides; these only describe.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
const compiledGlobs = new Map<string, RegExp>();

/** An ARN pattern (`*` and `?` wildcards) as a regular expression, compiled once per pattern. */
export function globToRegExp(glob: string): RegExp {
  let compiled = compiledGlobs.get(glob);
  if (compiled === undefined) {
    if (compiledGlobs.size > 10_000) compiledGlobs.clear();
    compiled = compileGlob(glob);
    compiledGlobs.set(glob, compiled);
  }
  return compiled;
}

function compileGlob(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}
