// react-redux for the extractor: selectors read the extractor's fake store, dispatch is the
// extractor's recorder, connect() gives the component the props its mapStateToProps reads from
// that store (mapDispatchToProps is left out: the extractor passes the callbacks it needs).
const harness = require("./harness-state.cjs");

exports.useSelector = (selector) => selector(harness.state());
exports.useDispatch = () => harness.dispatch;
exports.useStore = () => ({ getState: harness.state, dispatch: harness.dispatch });
exports.connect = (mapState) => (component) => {
  if (!mapState) return component;
  const mapped = (props) => ({ ...props, ...mapState(harness.state(), props) });
  let connected;
  if (component.prototype && component.prototype.render) {
    connected = class extends component {
      constructor(props) {
        super(mapped(props));
      }
    };
  } else {
    connected = (props) => component(mapped(props));
  }
  Object.defineProperty(connected, "name", { value: component.name });
  return connected;
};
exports.Provider = "Provider";
exports.shallowEqual = (a, b) => a === b;
