// Module hook for the security tests: `import ... from 'electron'` gets fake-electron.mjs, so the
// real main-process and preload modules run under Node and their settings can be inspected.
export async function resolve(specifier, context, next) {
  if (specifier === 'electron')
    return { url: new URL('./fake-electron.mjs', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
