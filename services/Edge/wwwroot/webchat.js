/*
 * PolyAI webchat widget: plain JavaScript, no build step, no dependencies.
 *
 * Embed:  <script src="https://<edge>/webchat.js" data-tenant="ACCOUNT/PROJECT/ENV" defer></script>
 * Options (data- attributes on that script tag):
 *   data-tenant          the tenant; otherwise the page's ?tenant=, otherwise data-default-tenant
 *   data-api-base        where the chat API is (default: the origin webchat.js was loaded from)
 *   data-open="true"     open the chat panel at once instead of showing the launcher button
 *
 * The event stream is read with fetch() rather than EventSource because EventSource cannot send the
 * conversation's bearer token; it follows the same rules (Last-Event-ID on reconnect, the server's retry:).
 * Message text is only ever set with textContent, never parsed as HTML.
 */
(function () {
  'use strict';

  var MAX_TEXT = 4000;
  var TYPING_SEND_INTERVAL_MS = 3000;
  var TYPING_SHOW_MS = 8000;
  var BACKOFF_MAX_MS = 30000;

  var script = document.currentScript;
  if (!script) {
    return;
  }

  var params = new URLSearchParams(window.location.search);
  var tenant = script.getAttribute('data-tenant') || params.get('tenant') || script.getAttribute('data-default-tenant') || '';
  var apiBase = (script.getAttribute('data-api-base') || new URL(script.src, window.location.href).origin).replace(/\/+$/, '');
  var startOpen = script.getAttribute('data-open') === 'true';
  var storageKey = 'polyai-webchat:' + tenant;
  var senders = { customer: 'You', ai: 'AI assistant', agent: 'Agent', system: 'Notice' };
  var handoffTexts = {
    requested: 'Asking for a human agent…',
    queued: 'You are in the queue for a human agent.',
    connected: 'You are chatting with a human agent.',
    ended: 'The human agent has left the conversation.',
    unavailable: 'No human agents are available right now.',
    failed: 'We could not reach a human agent.'
  };

  var conversation = null; // { id, token, lastEventId }
  var seen = new Set();
  var stream = null; // AbortController of the open event stream
  var reconnectTimer = null;
  var reconnectAttempt = 0;
  var retryBaseMs = 1000;
  var typingTimer = null;
  var lastTypingSent = 0;
  var starting = null;
  var ended = false;

  var ui = build();

  if (!/^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(tenant)) {
    ui.launcher.hidden = true;
    ui.panel.hidden = false;
    showEnded('This chat is not set up: no tenant (data-tenant="ACCOUNT/PROJECT/ENV").', false);
    return;
  }

  conversation = load();
  if (conversation || startOpen) {
    open();
  }

  window.addEventListener('online', function () {
    if (conversation && !ended && reconnectTimer) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });

  // ---- building the widget -------------------------------------------------------------------------------------

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function build() {
    if (!document.querySelector('link[href$="webchat.css"]')) {
      document.head.appendChild(el('link', { rel: 'stylesheet', href: new URL('webchat.css', script.src).href }));
    }

    var root = el('div', { class: 'pcw' });
    var launcher = el('button', { type: 'button', class: 'pcw-launcher', 'aria-expanded': 'false', 'aria-controls': 'pcw-panel' }, 'Chat with us');
    var panel = el('section', { id: 'pcw-panel', class: 'pcw-panel', 'aria-labelledby': 'pcw-title' });
    panel.hidden = true;

    var header = el('header', { class: 'pcw-header' });
    var title = el('h2', { id: 'pcw-title', class: 'pcw-title' }, 'Chat with us');
    var endButton = el('button', { type: 'button', class: 'pcw-end' }, 'End chat');
    var minimise = el('button', { type: 'button', class: 'pcw-minimise', 'aria-label': 'Minimise chat' }, '–');
    header.append(title, endButton, minimise);

    var connection = el('p', { class: 'pcw-banner pcw-connection', role: 'status', 'aria-live': 'polite' });
    connection.hidden = true;
    var handoff = el('p', { class: 'pcw-banner pcw-handoff', role: 'status', 'aria-live': 'polite' });
    handoff.hidden = true;
    var messages = el('div', { class: 'pcw-messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Conversation' });
    var typing = el('p', { class: 'pcw-typing', 'aria-live': 'polite' });
    typing.hidden = true;

    var form = el('form', { class: 'pcw-composer', novalidate: '' });
    var label = el('label', { for: 'pcw-input', class: 'pcw-label' }, 'Your message');
    var input = el('textarea', { id: 'pcw-input', class: 'pcw-input', rows: '2', 'aria-describedby': 'pcw-count pcw-error', autocomplete: 'off' });
    var send = el('button', { type: 'submit', class: 'pcw-send' }, 'Send');
    var count = el('p', { id: 'pcw-count', class: 'pcw-count' }, '0 / ' + MAX_TEXT);
    var error = el('p', { id: 'pcw-error', class: 'pcw-error', role: 'alert' });
    error.hidden = true;
    form.append(label, input, send, count, error);

    var endedBox = el('div', { class: 'pcw-ended' });
    endedBox.hidden = true;
    var endedText = el('p', { role: 'status' });
    var restart = el('button', { type: 'button', class: 'pcw-restart' }, 'Start a new conversation');
    endedBox.append(endedText, restart);

    panel.append(header, connection, handoff, messages, typing, form, endedBox);
    root.append(launcher, panel);
    document.body.appendChild(root);

    launcher.addEventListener('click', open);
    minimise.addEventListener('click', function () {
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    });
    endButton.addEventListener('click', end);
    restart.addEventListener('click', function () {
      forget();
      messages.replaceChildren();
      setHandoff(null);
      ended = false;
      endedBox.hidden = true;
      form.hidden = false;
      endButton.disabled = false;
      ensureConversation().then(function () { input.focus(); }, function () {});
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submit();
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener('input', onInput);

    return {
      launcher: launcher, panel: panel, endButton: endButton, connection: connection, handoff: handoff,
      messages: messages, typing: typing, form: form, input: input, send: send, count: count, error: error,
      endedBox: endedBox, endedText: endedText
    };
  }

  function open() {
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'true');
    if (ended) {
      return;
    }
    if (conversation) {
      if (!stream && !reconnectTimer) {
        resume();
      }
    } else {
      ensureConversation().catch(function () {});
    }
  }

  // ---- conversation and session storage -----------------------------------------------------------------------

  function load() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(storageKey) || 'null');
      return stored && stored.id && stored.token ? stored : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(conversation));
    } catch (e) {
      // Private mode or full storage: the chat still works, a reload just starts over.
    }
  }

  function forget() {
    closeStream();
    conversation = null;
    seen = new Set();
    try {
      window.sessionStorage.removeItem(storageKey);
    } catch (e) {
      // nothing stored
    }
  }

  function ensureConversation() {
    if (conversation) {
      return Promise.resolve(conversation);
    }
    if (!starting) {
      var parts = tenant.split('/').map(encodeURIComponent);
      starting = call('POST', '/v1/chat/' + parts.join('/') + '/conversations', { customer: {}, locale: navigator.language || undefined }, false)
        .then(function (response) {
          if (response.status !== 201) {
            return problem(response).then(function (message) { throw new Error(message); });
          }
          return response.json().then(function (created) {
            conversation = { id: created.conversationId, token: created.token, lastEventId: '' };
            save();
            connect();
            return conversation;
          });
        })
        .catch(function (failure) {
          showError(failure.message || 'Could not start the chat. Check your connection and try again.');
          throw failure;
        })
        .finally(function () { starting = null; });
    }
    return starting;
  }

  function resume() {
    call('GET', path('messages'), undefined, true).then(function (response) {
      if (isGone(response)) {
        forget();
        return ensureConversation();
      }
      if (response.ok) {
        return response.json().then(function (transcript) {
          var list = Array.isArray(transcript) ? transcript : (transcript.messages || []);
          list.forEach(addMessage);
          setHandoff(transcript.handoff);
          if (transcript.status === 'ended') {
            showEnded('The conversation has ended.', true);
            forget();
            return;
          }
          connect();
        });
      }
      connect();
    }, function () {
      scheduleReconnect();
    }).catch(function () {});
  }

  function path(action) {
    return '/v1/chat/conversations/' + encodeURIComponent(conversation.id) + '/' + action;
  }

  function call(method, relative, body, authorised) {
    var headers = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (authorised) {
      headers.Authorization = 'Bearer ' + conversation.token;
    }
    return fetch(apiBase + relative, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit'
    });
  }

  function isGone(response) {
    return response.status === 401 || response.status === 403 || response.status === 404 || response.status === 410;
  }

  function problem(response) {
    var retryAfter = response.headers.get('Retry-After');
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.status === 429) {
        return 'Too many requests. Try again in ' + (retryAfter || 'a few') + ' seconds.';
      }
      if (response.status === 413) {
        return 'That message is too long to send.';
      }
      if (response.status >= 500) {
        return 'The chat service is unavailable right now. Try again shortly.';
      }
      return (body && (body.detail || body.title)) || 'The request was refused (' + response.status + ').';
    });
  }

  // ---- the event stream ---------------------------------------------------------------------------------------

  function connect() {
    if (!conversation || ended) {
      return;
    }
    closeStream();
    var controller = new AbortController();
    stream = controller;
    var headers = { Accept: 'text/event-stream', Authorization: 'Bearer ' + conversation.token };
    if (conversation.lastEventId) {
      headers['Last-Event-ID'] = conversation.lastEventId;
    }
    fetch(apiBase + path('events'), { headers: headers, cache: 'no-store', credentials: 'omit', signal: controller.signal })
      .then(function (response) {
        if (isGone(response)) {
          showEnded('This conversation is no longer available.', true);
          forget();
          return null;
        }
        if (!response.ok || !response.body) {
          throw new Error('event stream answered ' + response.status);
        }
        reconnectAttempt = 0;
        setConnection(null);
        return read(response.body.getReader(), controller);
      })
      .then(function (result) {
        if (result !== null && stream === controller) {
          stream = null;
          scheduleReconnect(); // the server closed the stream
        }
      }, function () {
        if (stream === controller) {
          stream = null;
          scheduleReconnect(); // network loss or a dropped connection
        }
      });
  }

  function closeStream() {
    if (stream) {
      var controller = stream;
      stream = null;
      controller.abort();
    }
    if (reconnectTimer) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
    }
  }

  function scheduleReconnect() {
    if (!conversation || ended || reconnectTimer) {
      return;
    }
    setConnection('Reconnecting…');
    var ceiling = Math.min(BACKOFF_MAX_MS, retryBaseMs * Math.pow(2, reconnectAttempt));
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    reconnectAttempt += 1;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  // Server-Sent Events parsing, as the HTML standard defines it for EventSource.
  function read(reader, controller) {
    var decoder = new TextDecoder();
    var buffer = '';
    var eventType = '';
    var data = [];

    function line(text) {
      if (text === '') {
        if (data.length > 0) {
          dispatch(eventType || 'message', data.join('\n'));
        }
        eventType = '';
        data = [];
        return;
      }
      if (text.charAt(0) === ':') {
        return; // a comment, e.g. a keep-alive
      }
      var colon = text.indexOf(':');
      var field = colon < 0 ? text : text.slice(0, colon);
      var value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        eventType = value;
      } else if (field === 'data') {
        data.push(value);
      } else if (field === 'id' && value.indexOf('\u0000') < 0) {
        conversation.lastEventId = value;
        save();
      } else if (field === 'retry' && /^\d+$/.test(value)) {
        retryBaseMs = Math.max(250, parseInt(value, 10));
      }
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done || stream !== controller) {
          return 'closed';
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop();
        lines.forEach(line);
        return pump();
      });
    }

    return pump();
  }

  function dispatch(type, json) {
    var payload;
    try {
      payload = JSON.parse(json);
    } catch (e) {
      return; // not ours to show
    }
    if (type === 'message') {
      addMessage(payload);
    } else if (type === 'typing') {
      showTyping(payload.role);
    } else if (type === 'handoff') {
      setHandoff(payload.status);
    }
  }

  // ---- what the customer sees ---------------------------------------------------------------------------------

  function addMessage(message) {
    if (!message || typeof message.text !== 'string' || (message.id && seen.has(message.id))) {
      return;
    }
    if (message.id) {
      seen.add(message.id);
    }
    var role = senders[message.role] ? message.role : 'system';
    var item = el('div', { class: 'pcw-msg', 'data-role': role });
    if (message.id) {
      item.setAttribute('data-id', message.id);
    }
    item.appendChild(el('span', { class: 'pcw-msg-sender' }, senders[role]));
    item.appendChild(el('span', { class: 'pcw-msg-text' }, message.text));
    var time = message.time ? new Date(message.time) : null;
    if (time && !isNaN(time.getTime())) {
      item.appendChild(el('time', { class: 'pcw-msg-time', datetime: time.toISOString() },
        time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
    }
    ui.messages.appendChild(item);
    ui.messages.scrollTop = ui.messages.scrollHeight;
    if (role === ui.typing.getAttribute('data-role')) {
      hideTyping();
    }
  }

  function showTyping(role) {
    if (role !== 'ai' && role !== 'agent') {
      return;
    }
    ui.typing.setAttribute('data-role', role);
    ui.typing.textContent = (role === 'ai' ? 'AI assistant' : 'Agent') + ' is typing…';
    ui.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_SHOW_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    ui.typing.hidden = true;
    ui.typing.removeAttribute('data-role');
  }

  function setHandoff(status) {
    if (!status || !handoffTexts[status]) {
      ui.handoff.hidden = true;
      ui.handoff.removeAttribute('data-status');
      return;
    }
    ui.handoff.setAttribute('data-status', status);
    ui.handoff.textContent = handoffTexts[status];
    ui.handoff.hidden = false;
  }

  function setConnection(text) {
    ui.connection.textContent = text || '';
    ui.connection.hidden = !text;
    ui.panel.setAttribute('data-connection', text ? 'reconnecting' : 'live');
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = false;
    ui.input.setAttribute('aria-invalid', 'true');
  }

  function clearError() {
    ui.error.textContent = '';
    ui.error.hidden = true;
    ui.input.removeAttribute('aria-invalid');
  }

  function showEnded(text, canRestart) {
    ended = true;
    closeStream();
    hideTyping();
    setConnection(null);
    ui.form.hidden = true;
    ui.endButton.disabled = true;
    ui.endedText.textContent = text;
    ui.endedBox.querySelector('button').hidden = !canRestart;
    ui.endedBox.hidden = false;
  }

  // ---- what the customer does ---------------------------------------------------------------------------------

  function onInput() {
    var length = ui.input.value.length;
    ui.count.textContent = length + ' / ' + MAX_TEXT;
    ui.count.setAttribute('data-over', String(length > MAX_TEXT));
    if (length > MAX_TEXT) {
      showError('Your message is ' + length + ' characters long; the limit is ' + MAX_TEXT + '.');
    } else if (!ui.error.hidden) {
      clearError();
    }
    var now = Date.now();
    if (conversation && length > 0 && now - lastTypingSent > TYPING_SEND_INTERVAL_MS) {
      lastTypingSent = now;
      call('POST', path('typing'), undefined, true).catch(function () {});
    }
  }

  function submit() {
    var text = ui.input.value.trim();
    if (text.length === 0) {
      showError('Type a message before sending.');
      ui.input.focus();
      return;
    }
    if (text.length > MAX_TEXT) {
      showError('Your message is ' + text.length + ' characters long; the limit is ' + MAX_TEXT + '.');
      ui.input.focus();
      return;
    }
    clearError();
    ui.send.disabled = true;
    ensureConversation()
      .then(function () {
        return call('POST', path('messages'), { text: text }, true);
      })
      .then(function (response) {
        if (response.status === 202) {
          return response.json().then(function (accepted) {
            addMessage({ id: accepted.messageId, role: 'customer', text: text, time: new Date().toISOString() });
            ui.input.value = '';
            onInput();
          });
        }
        if (isGone(response)) {
          showEnded('This conversation is no longer available.', true);
          forget();
          return undefined;
        }
        return problem(response).then(showError);
      }, function (failure) {
        if (failure instanceof TypeError) {
          showError('Could not send: check your connection and try again.');
        }
      })
      .finally(function () {
        ui.send.disabled = false;
      });
  }

  function end() {
    if (!conversation) {
      showEnded('The conversation has ended.', true);
      return;
    }
    var ending = conversation;
    call('POST', path('end'), undefined, true).catch(function () {}).then(function () {
      if (conversation === ending) {
        showEnded('You ended the conversation.', true);
        forget();
      }
    });
  }
}());
