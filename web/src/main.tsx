/** Entry point of the control panel bundle. */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';
import { applyTheme, initialTheme } from './theme.ts';

applyTheme(initialTheme());
render(<App />, document.getElementById('app')!);
