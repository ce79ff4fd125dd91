// Just enough React to call the packages' function components and class components as plain
// functions. A function component is rendered through `harness.render`, which keeps its hook
// state between renders and runs an effect after a render when its dependencies changed, as
// React does; createElement returns a plain description that the extractor can walk.
const harness = require("./harness-state.cjs");

let current = null; // { hooks: [], cursor, effects: [] } of the component being rendered

function slot(init) {
  if (!current) return { value: init() }; // a class component's method: no hook state
  const index = current.cursor++;
  if (!(index in current.hooks)) current.hooks[index] = { value: init() };
  return current.hooks[index];
}
function changed(previous, next) {
  return !previous || !next || previous.length !== next.length || next.some((d, i) => !Object.is(d, previous[i]));
}
function useState(initial) {
  const cell = slot(() => (typeof initial === "function" ? initial() : initial));
  const owner = current;
  const set = (update) => {
    cell.value = typeof update === "function" ? update(cell.value) : update;
    if (owner) owner.dirty = true;
  };
  return [cell.value, set];
}
function useEffect(effect, deps) {
  const cell = slot(() => ({ deps: undefined }));
  if (!current) return effect();
  if (changed(cell.value.deps, deps)) {
    cell.value.deps = deps;
    current.effects.push(effect);
  }
}
harness.render = (component, props, instance = { hooks: [] }) => {
  current = { ...instance, hooks: instance.hooks, cursor: 0, effects: [], dirty: false };
  const rendered = instance;
  let tree;
  try {
    tree = component(props);
  } finally {
    const done = current;
    current = null;
    done.effects.forEach((effect) => effect());
    rendered.hooks = done.hooks;
    rendered.tree = tree;
  }
  return rendered;
};

function createElement(type, props, ...children) {
  return { $$element: true, type, props: { ...(props || {}), children } };
}
class Component {
  constructor(props) {
    this.props = props;
    this.state = {};
  }
  setState(update, callback) {
    const next = typeof update === "function" ? update(this.state, this.props) : update;
    this.state = { ...this.state, ...next };
    if (callback) callback();
  }
  forceUpdate() {}
}
const React = {
  createElement,
  Component,
  PureComponent: Component,
  Fragment: "Fragment",
  createContext: (value) => ({ Provider: "Provider", Consumer: "Consumer", _value: value }),
  useState,
  useReducer: (reducer, initial) => [initial, () => {}],
  useEffect,
  useLayoutEffect: () => {},
  useMemo: (factory) => factory(),
  useCallback: (fn) => fn,
  useRef: (initial) => slot(() => ({ current: initial })).value,
  useContext: (context) => harness.context(context),
  forwardRef: (render) => render,
  memo: (component) => component,
  Children: { map: (c, f) => (Array.isArray(c) ? c.map(f) : c ? [f(c)] : []), toArray: (c) => c || [] },
  cloneElement: (element, props) => ({ ...element, props: { ...element.props, ...props } }),
  isValidElement: (x) => !!(x && x.$$element),
  lazy: (f) => f,
  Suspense: "Suspense",
};
module.exports = React;
module.exports.default = React;
