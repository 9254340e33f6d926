import { render } from 'solid-js/web';
import '@alliance/web-shared/styles.css';
import './app.css';
import { App } from './App';

render(() => <App />, document.getElementById('root')!);
