// Jest reporter that writes the run's counts to <package>/.test-results/summary.json,
// so tools/run-tests.mjs can print one closing line for the whole workspace.
const fs = require('node:fs');
const path = require('node:path');

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    const tmp = path.join(dir, `summary.json.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(summary, null, 2));
    fs.renameSync(tmp, path.join(dir, 'summary.json'));
  }
}

module.exports = CountReporter;
