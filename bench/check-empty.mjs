// The check benchmark's other reference: Node starting an ES module that does nothing (what
// `node -e 0` pays, plus the ES module loader).
