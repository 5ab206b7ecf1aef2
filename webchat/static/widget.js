/*
 * Embeddable web chat widget of the municipal assistant.
 *
 *   <div id="gemeente-chat"></div>
 *   <script src="http://localhost:8000/widget.js" data-rasa-url="http://localhost:5005" defer></script>
 *
 * Talks to Rasa's socket.io channel (events session_request / session_confirm,
 * user_uttered / bot_uttered, session_history). Bot text is rendered with textContent only;
 * URLs become <a> elements built with DOM APIs. The server issues the conversation id and its
 * secret (session_confirm); both and a transcript live in localStorage: a reload or a new tab
 * keeps the conversation, and the server sends its stored history back (session_history), so an
 * employee's answer that came while the tab was closed is shown. Without the secret the server
 * starts a new conversation.
 * Options (data attributes on the script tag): data-rasa-url, data-container,
 * data-privacy-url, data-municipality (issue 18: which municipality's assistant this is, e.g.
 * "proefdorp"; sent as message metadata, the server checks it against its list and fixes it for
 * the conversation at its start; each municipality keeps its own stored conversation). Without data-rasa-url, window.GEMEENTE_CHAT_CONFIG.rasaUrl (from
 * /config.js) is used.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) {
    return;
  }
  var baseUrl = new URL('.', script.src).href;
  var pageConfig = window.GEMEENTE_CHAT_CONFIG || {};
  var options = {
    rasaUrl: script.getAttribute('data-rasa-url') || pageConfig.rasaUrl || 'http://localhost:5005',
    containerId: script.getAttribute('data-container') || 'gemeente-chat',
    municipality: (script.getAttribute('data-municipality') || '').toLowerCase(),
    privacyUrl: script.getAttribute('data-privacy-url')
  };
  if (!options.privacyUrl) {
    options.privacyUrl = baseUrl + (options.municipality ? options.municipality + '/' : '') + 'privacy.html';
  }
  var METADATA = options.municipality ? { municipality: options.municipality } : {};

  var TEXT = {
    title: 'Digitale assistent',
    disclosure: 'U chat met een computerprogramma, geen mens.',
    privacy: 'Zo gaan wij om met uw berichten',
    human: 'Medewerker spreken',
    log: 'Gesprek met de digitale assistent',
    botPrefix: 'Assistent: ',
    userPrefix: 'U: ',
    typing: 'De assistent typt',
    inputLabel: 'Typ uw vraag',
    send: 'Verstuur',
    replies: 'Kies een antwoord',
    newWindow: ' (opent in een nieuw venster)',
    offline: 'De verbinding met de assistent is verbroken. Wij proberen opnieuw te verbinden. Uw berichten worden verstuurd zodra het weer lukt.',
    loadError: 'De chat kan nu niet laden. Probeert u het later nog een keer, of bel de gemeente.'
  };

  var STORAGE_PREFIX = 'gemeente-chat:' + (options.municipality ? options.municipality + ':' : '');
  var MAX_TRANSCRIPT = 200;
  var memoryStore = {};

  function storageGet(key) {
    try {
      return window.localStorage.getItem(STORAGE_PREFIX + key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(STORAGE_PREFIX + key, value);
    } catch (e) {
      memoryStore[key] = value;
      durable = false;
    }
  }

  // false once localStorage refused a write: the conversation ends with this tab, so the server
  // does not offer an employee's answer "hier in de chat" (actions/reachability.py)
  var durable = true;

  function loadTranscript() {
    try {
      var parsed = JSON.parse(storageGet('transcript') || '[]');
      return Array.isArray(parsed) ? parsed : [];
    } catch (e) {
      return [];
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

  /** Append text to parent as text nodes, with http(s) URLs as links; no HTML parsing. */
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var raw = match[0].replace(TRAILING_PUNCTUATION, '');
      var url = null;
      try {
        url = new URL(raw);
      } catch (e) {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        continue;
      }
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = el('a', 'gc-link utrecht-link', raw);
      link.href = url.href;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.appendChild(el('span', 'gc-sr-only', TEXT.newWindow));
      parent.appendChild(link);
      last = match.index + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Buttons of a bot message: Rasa sends `quick_replies` (socketio) or `buttons`. */
  function buttonsOf(data) {
    var list = (data && (data.quick_replies || data.buttons)) || [];
    if (!Array.isArray(list)) {
      return [];
    }
    return list.filter(function (b) {
      return b && typeof b.title === 'string' && typeof b.payload === 'string';
    }).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
  }

  /** Text of a bot message; attachments become a plain URL line (linkified on render). */
  function textOf(data) {
    if (!data) {
      return '';
    }
    var parts = [];
    if (typeof data.text === 'string') {
      parts.push(data.text);
    }
    var src = data.attachment && data.attachment.payload && data.attachment.payload.src;
    if (typeof src === 'string') {
      parts.push(src);
    }
    if (typeof data.image === 'string') {
      parts.push(data.image);
    }
    return parts.join('\n');
  }

  function Chat(container, io) {
    this.container = container;
    this.io = io;
    this.sessionId = storageGet('session') || '';
    this.secret = storageGet('secret') || '';
    this.transcript = loadTranscript();
    this.confirmed = false;
    this.queue = [];
    this.uid = 'gc-' + Math.random().toString(36).slice(2, 8);
    this.build();
    this.renderTranscript();
    this.connect();
  }

  Chat.prototype.build = function () {
    var self = this;
    var root = el('section', 'gc-chat');
    root.setAttribute('aria-labelledby', this.uid + '-title');

    var header = el('div', 'gc-header');
    var heading = el('div', 'gc-header__text');
    var title = el('h2', 'gc-title', TEXT.title);
    title.id = this.uid + '-title';
    var disclosure = el('p', 'gc-disclosure', TEXT.disclosure + ' ');
    var privacy = el('a', 'gc-header__link utrecht-link', TEXT.privacy);
    privacy.href = options.privacyUrl;
    disclosure.appendChild(privacy);
    heading.appendChild(title);
    heading.appendChild(disclosure);
    var human = el('button', 'gc-button gc-human utrecht-button utrecht-button--secondary-action', TEXT.human);
    human.type = 'button';
    human.addEventListener('click', function () {
      self.send('/request_human', TEXT.human);
    });
    header.appendChild(heading);
    header.appendChild(human);

    var log = el('div', 'gc-log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', TEXT.log);
    log.tabIndex = 0;

    var typing = el('div', 'gc-typing');
    typing.setAttribute('role', 'status');

    var status = el('p', 'gc-status');
    status.setAttribute('role', 'status');

    var form = el('form', 'gc-form');
    form.noValidate = true;
    var inputId = this.uid + '-input';
    var label = el('label', 'gc-label', TEXT.inputLabel);
    label.htmlFor = inputId;
    var row = el('div', 'gc-form__row');
    var input = el('input', 'gc-input utrecht-textbox utrecht-textbox--html-input');
    input.id = inputId;
    input.type = 'text';
    input.name = 'message';
    input.autocomplete = 'off';
    input.setAttribute('enterkeyhint', 'send');
    var submit = el('button', 'gc-button gc-send utrecht-button utrecht-button--primary-action', TEXT.send);
    submit.type = 'submit';
    row.appendChild(input);
    row.appendChild(submit);
    form.appendChild(label);
    form.appendChild(row);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) {
        input.focus();
        return;
      }
      input.value = '';
      self.send(text, text);
      input.focus();
    });

    root.appendChild(header);
    root.appendChild(log);
    root.appendChild(typing);
    root.appendChild(status);
    root.appendChild(form);
    this.container.textContent = '';
    this.container.appendChild(root);

    this.log = log;
    this.typing = typing;
    this.status = status;
    this.input = input;
  };

  Chat.prototype.save = function () {
    if (this.transcript.length > MAX_TRANSCRIPT) {
      this.transcript = this.transcript.slice(-MAX_TRANSCRIPT);
    }
    storageSet('transcript', JSON.stringify(this.transcript));
  };

  /** Show `entries` instead of the current transcript (the server's stored conversation). */
  Chat.prototype.replaceTranscript = function (entries) {
    this.transcript = entries;
    this.save();
    while (this.log.firstChild) {
      this.log.removeChild(this.log.firstChild);
    }
    this.renderTranscript();
  };

  Chat.prototype.renderTranscript = function () {
    for (var i = 0; i < this.transcript.length; i++) {
      var entry = this.transcript[i];
      var isLast = i === this.transcript.length - 1;
      this.renderMessage(entry, isLast);
    }
    this.scrollToEnd();
  };

  /** Render one transcript entry; reply buttons only for the latest bot message. */
  Chat.prototype.renderMessage = function (entry, withButtons) {
    var self = this;
    var isBot = entry.from === 'bot';
    var item = el('div', 'gc-message ' + (isBot ? 'gc-message--bot' : 'gc-message--user'));
    item.appendChild(el('span', 'gc-sr-only', isBot ? TEXT.botPrefix : TEXT.userPrefix));
    var body = el('p', 'gc-message__text');
    if (isBot) {
      appendLinkified(body, entry.text || '');
    } else {
      body.textContent = entry.text || '';
    }
    item.appendChild(body);
    this.log.appendChild(item);

    if (isBot && withButtons && entry.buttons && entry.buttons.length) {
      var group = el('div', 'gc-replies');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', TEXT.replies);
      entry.buttons.forEach(function (b) {
        var button = el('button', 'gc-button gc-button--reply utrecht-button utrecht-button--secondary-action', b.title);
        button.type = 'button';
        button.addEventListener('click', function () {
          self.send(b.payload, b.title);
          self.input.focus();
        });
        group.appendChild(button);
      });
      this.log.appendChild(group);
    }
  };

  Chat.prototype.removeReplies = function () {
    var groups = this.log.querySelectorAll('.gc-replies');
    for (var i = 0; i < groups.length; i++) {
      groups[i].parentNode.removeChild(groups[i]);
    }
  };

  Chat.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Chat.prototype.setTyping = function (on) {
    this.typing.textContent = '';
    if (on) {
      var dots = el('span', 'gc-typing__dots');
      dots.setAttribute('aria-hidden', 'true');
      dots.appendChild(el('span', 'gc-typing__dot'));
      dots.appendChild(el('span', 'gc-typing__dot'));
      dots.appendChild(el('span', 'gc-typing__dot'));
      this.typing.appendChild(dots);
      this.typing.appendChild(el('span', 'gc-sr-only', TEXT.typing));
    }
    this.typing.classList.toggle('gc-typing--active', !!on);
  };

  Chat.prototype.setStatus = function (text) {
    this.status.textContent = text || '';
    this.status.classList.toggle('gc-status--active', !!text);
  };

  /** Send a payload to the bot; `shown` is displayed as the user's message (if any). */
  Chat.prototype.send = function (payload, shown) {
    if (shown) {
      this.removeReplies();
      var entry = { from: 'user', text: shown };
      this.transcript.push(entry);
      this.save();
      this.renderMessage(entry, false);
      this.scrollToEnd();
    }
    this.setTyping(true);
    var message = { message: payload, session_id: this.sessionId, metadata: METADATA };
    if (!durable) {
      message.metadata = Object.assign({}, METADATA, { durable: false });
    }
    if (this.confirmed && this.socket.connected) {
      this.socket.emit('user_uttered', message);
    } else {
      this.queue.push(message);
    }
  };

  Chat.prototype.receive = function (data) {
    var text = textOf(data);
    var buttons = buttonsOf(data);
    if (!text && !buttons.length) {
      return;
    }
    this.setTyping(false);
    this.removeReplies();
    var entry = { from: 'bot', text: text, buttons: buttons };
    this.transcript.push(entry);
    this.save();
    this.renderMessage(entry, true);
    this.scrollToEnd();
  };

  Chat.prototype.connect = function () {
    var self = this;
    var socket = this.io(options.rasaUrl, {
      path: '/socket.io',
      transports: ['websocket', 'polling']
    });
    this.socket = socket;

    socket.on('connect', function () {
      self.confirmed = false;
      self.setStatus('');
      socket.emit('session_request', { session_id: self.sessionId, session_secret: self.secret });
    });

    socket.on('session_confirm', function (confirmedId) {
      var id = confirmedId && confirmedId.session_id;
      if (!id) {
        return;
      }
      if (id !== self.sessionId) {
        // a new conversation issued by the server: what was shown belongs to another one
        var hadOther = !!self.sessionId;
        self.sessionId = id;
        self.secret = confirmedId.session_secret || '';
        storageSet('session', id);
        storageSet('secret', self.secret);
        if (hadOther) {
          self.replaceTranscript([]);
        }
      }
      self.confirmed = true;
      var queued = self.queue.splice(0);
      queued.forEach(function (message) {
        message.session_id = self.sessionId;
        socket.emit('user_uttered', message);
      });
      if (!self.started && self.transcript.length === 0 && queued.length === 0) {
        // New conversation: let the bot's session start send the introduction.
        self.started = true;
        self.setTyping(true);
        socket.emit('user_uttered', { message: '/session_start', session_id: self.sessionId, metadata: METADATA });
      }
    });

    socket.on('session_history', function (data) {
      var stored = data && Array.isArray(data.messages) ? data.messages : null;
      if (!stored || !stored.length) {
        return;
      }
      stored = stored.filter(function (m) {
        return m && (m.from === 'bot' || m.from === 'user') && typeof m.text === 'string';
      }).map(function (m) {
        return { from: m.from, text: m.text };
      });
      if (self.transcript.length === 0) {
        // another browser or a cleared tab: the server's copy is all there is
        self.replaceTranscript(stored);
        return;
      }
      // This tab kept its own transcript (with button titles instead of their payloads); add only
      // the bot messages that arrived while it was closed, e.g. an employee's answer.
      var isBot = function (m) { return m.from === 'bot'; };
      var missing = stored.filter(isBot).slice(self.transcript.filter(isBot).length);
      if (missing.length) {
        self.replaceTranscript(self.transcript.concat(missing));
      }
    });

    socket.on('bot_uttered', function (data) {
      self.receive(data);
    });

    socket.on('disconnect', function (reason) {
      self.confirmed = false;
      if (reason !== 'io client disconnect') {
        self.setStatus(TEXT.offline);
      }
    });

    socket.on('connect_error', function () {
      self.setStatus(TEXT.offline);
    });
  };

  function ensureStylesheet() {
    var href = baseUrl + 'widget.css';
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) {
        return;
      }
    }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.appendChild(link);
  }

  function withSocketIo(callback, onError) {
    if (typeof window.io === 'function') {
      callback(window.io);
      return;
    }
    var loader = document.createElement('script');
    loader.src = baseUrl + 'vendor/socket.io.min.js';
    loader.async = true;
    loader.onload = function () {
      if (typeof window.io === 'function') {
        callback(window.io);
      } else {
        onError();
      }
    };
    loader.onerror = onError;
    document.head.appendChild(loader);
  }

  function start() {
    var container = document.getElementById(options.containerId);
    if (!container) {
      return;
    }
    ensureStylesheet();
    withSocketIo(function (io) {
      container.gemeenteChat = new Chat(container, io);
    }, function () {
      container.textContent = '';
      container.appendChild(el('p', 'gc-status gc-status--active', TEXT.loadError));
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
