// The simulator page: polls the phones' screens and posts the reporter's and officials' actions.
// Every text is put in with textContent (tips are untrusted input); no inline script or style.
(function () {
  "use strict";
  var root = document.getElementById("simulator");
  if (!root) { return; }
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var token = tokenTag ? tokenTag.getAttribute("content") : "";
  var data = root.dataset;
  var errorBox = document.getElementById("sim-error");
  var shown = {};  // what each list shows now, so unchanged lists are not rebuilt (keeps focus)
  var POLL_MS = 800;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function showError(message) {
    if (!errorBox) { return; }
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; });
    }).then(function (result) {
      showError(result.ok ? "" : (result.error || data.labelOffline));
      refresh();
      return result;
    }).catch(function () { showError(data.labelOffline); });
  }

  // Rebuild a list when its items changed. A chat follows its newest message; an official's
  // phone shows the start of the newest alert (band and code), which a bottom scroll would hide.
  function fill(list, key, items, build, showStart) {
    var signature = JSON.stringify(items);
    if (!list || shown[key] === signature) { return; }
    shown[key] = signature;
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!items.length) { list.appendChild(el("li", "empty", data.labelEmpty)); }
    items.forEach(function (item) { list.appendChild(build(item)); });
    if (showStart && list.lastChild) {
      list.scrollTop = list.lastChild.offsetTop - 4;  // offsetTop is within the list (relative)
    } else if (atBottom || !shown[key + ":seen"]) {
      list.scrollTop = list.scrollHeight;
    }
    shown[key + ":seen"] = "1";
  }

  function telegramBubble(chat) {
    return function (message) {
      var bubble = el("li", "bubble" + (message.mine ? " mine" : ""));
      bubble.dataset.messageId = message.id;
      if (message.media) {
        var label = data["label" + message.media.charAt(0).toUpperCase() + message.media.slice(1)];
        bubble.appendChild(el("span", "meta", "[" + (label || message.media) + "]"));
      }
      bubble.appendChild(el("span", "text", message.text));
      if (message.edited) { bubble.appendChild(el("span", "meta", data.labelEdited)); }
      if (message.buttons.length) {
        var box = el("div", "buttons");
        message.buttons.forEach(function (row) {
          var line = el("div", "row");
          row.forEach(function (button) {
            var press = el("button", "secondary", button.text);
            press.type = "button";
            press.disabled = !button.data;
            press.addEventListener("click", function () {
              press.disabled = true;
              post(data.pressUrl, { chat: chat, message_id: message.id, data: button.data });
            });
            line.appendChild(press);
          });
          box.appendChild(line);
        });
        bubble.appendChild(box);
      }
      return bubble;
    };
  }

  function lineBubble(line) {
    return el("li", "bubble" + (line.mine ? " mine" : ""), line.text);
  }

  function render(state) {
    if (!state.ok) { showError(state.error || data.labelOffline); return; }
    var reporter = state.reporter;
    var reporterChat = Number(root.dataset.reporterChat || 0);
    fill(document.getElementById("reporter-telegram"), "r:tg", reporter.telegram.messages,
      telegramBubble(reporterChat));
    document.getElementById("reporter-telegram-toast").textContent = reporter.telegram.toast;
    fill(document.getElementById("reporter-sms"), "r:sms", reporter.sms, lineBubble);
    fill(document.getElementById("reporter-whatsapp"), "r:wa", reporter.whatsapp, lineBubble);
    fill(document.getElementById("reporter-voice"), "r:voice", reporter.voice, lineBubble);
    var status = !reporter.call.active ? data.labelNoCall
      : reporter.call.waiting === "record" ? data.labelWaitingRecord : data.labelWaitingGather;
    document.getElementById("call-status").textContent = status;
    state.officials.forEach(function (official) {
      var chat = official.chat;
      fill(root.querySelector('[data-telegram="' + chat + '"]'), "o:tg:" + chat,
        official.telegram.messages, telegramBubble(chat), true);
      var toast = root.querySelector('[data-toast="' + chat + '"]');
      if (toast) { toast.textContent = official.telegram.toast; }
      var phone = root.querySelector('[data-phone="' + chat + '"]');
      if (phone && official.phone.length) {
        fill(phone, "o:ph:" + chat, official.phone, lineBubble);
      }
    });
  }

  var timer = null;
  function refresh() {
    if (timer) { clearTimeout(timer); }
    return fetch(data.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        root.dataset.reporterChat = state.reporter_chat || root.dataset.reporterChat || "";
        render(state);
      })
      .catch(function () { showError(data.labelOffline); })
      .then(function () { timer = setTimeout(refresh, POLL_MS); });
  }

  Array.prototype.forEach.call(root.querySelectorAll(".sim-tab"), function (tab) {
    tab.addEventListener("click", function () {
      Array.prototype.forEach.call(root.querySelectorAll(".sim-tab"), function (other) {
        other.setAttribute("aria-selected", other === tab ? "true" : "false");
      });
      Array.prototype.forEach.call(root.querySelectorAll(".sim-screen"), function (screen) {
        screen.hidden = screen.dataset.screen !== tab.dataset.channel;
      });
    });
  });

  Array.prototype.forEach.call(root.querySelectorAll("form.sim-send"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector("textarea");
      var text = box.value.trim();
      if (!text) { return; }
      var urls = { sms: data.smsUrl, whatsapp: data.whatsappUrl, telegram: data.telegramUrl };
      var url = urls[form.dataset.channel];
      box.value = "";
      post(url, { text: text });
    });
  });

  Array.prototype.forEach.call(root.querySelectorAll(".keypad .key"), function (key) {
    key.addEventListener("click", function () {
      post(data.voiceUrl, { action: "key", key: key.dataset.key });
    });
  });
  document.getElementById("call-start").addEventListener("click", function () {
    post(data.voiceUrl, { action: "call" });
  });
  document.getElementById("call-hangup").addEventListener("click", function () {
    post(data.voiceUrl, { action: "hangup" });
  });
  document.getElementById("new-reporter").addEventListener("submit", function (event) {
    event.preventDefault();
    shown = {};
    post(data.newReporterUrl, {}).then(function () { window.location.reload(); });
  });

  refresh();
}());
