/** The fake SAP lives in src/demo/ (the demo runs it too); tests import it from here as before. */
export * from '../../src/demo/fake-sap.js';
