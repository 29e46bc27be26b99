/** The plugin-API version this host provides; a plugin's `plugin.json` states the range it needs in `api`. */
export const PLUGIN_API_VERSION = '1.0.0';
