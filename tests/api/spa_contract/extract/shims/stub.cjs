// Stands in for every third-party UI/runtime package (material-ui, react-intl, moment, ...):
// anything read from it is the stub again, calling it returns its first argument when that is a
// component (a function named in capitals, as React requires: so `withStyles(s)(Component)`,
// `injectIntl(Component)` give back the component itself) and the stub otherwise. It never builds
// a GraphQL document.
function make() {
  const target = function () {};
  const stub = new Proxy(target, {
    get(t, key) {
      if (key === "__esModule") return false;
      if (key === Symbol.toPrimitive) return () => "";
      if (key === Symbol.iterator) return function* () {};
      if (key === "prototype") return t.prototype;
      if (key === "then") return undefined;
      return stub;
    },
    apply(t, self, args) {
      const first = args[0];
      return typeof first === "function" && /^[A-Z]/.test(first.name) ? first : stub;
    },
    construct() {
      return {};
    },
    // esbuild's interop builds `import { x } from "pkg"` on an object whose prototype is the
    // module: make that prototype the stub, so every named import is the stub too.
    getPrototypeOf() {
      return stub;
    },
  });
  return stub;
}
module.exports = make();
