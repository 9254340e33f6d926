import { render } from 'solid-js/web';
import '@alliance/web-shared/styles.css';
import './styles.css';
import { App } from './App';

render(() => <App />, document.getElementById('root')!);
