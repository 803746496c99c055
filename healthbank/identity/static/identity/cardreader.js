/* The Read (讀取) button: ask the server for a one-time challenge, have the card agent
   (健保卡元件 stand-in on 127.0.0.1) sign it with the inserted card, and put the signature
   in the form's hidden card fields. Messages come from the block's data-msg-* attributes. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fetchJson(url, options) {
    return fetch(url, options).then(
      function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var error = new Error(body.code || "error");
            error.code = body.code || "error";
            throw error;
          }
          return body;
        });
      },
      function () {
        var error = new Error("no_agent");
        error.code = "no_agent";
        throw error;
      }
    );
  }

  var MESSAGE_FOR = {
    no_agent: "msgNoAgent",
    no_card: "msgNoCard",
    pin_incorrect: "msgPinIncorrect",
    pin_locked: "msgPinLocked",
    card_lost: "msgCardLost",
    card_replaced: "msgCardReplaced"
  };

  function setup(block) {
    var form = block.closest("form");
    var kind = block.dataset.kind === "certificate" ? "certificate" : "nhi";
    var status = block.querySelector("[data-status]");
    var nameField = block.querySelector("[data-name]");
    var pinField = block.querySelector("[data-pin]");

    function say(key, state) {
      status.textContent = block.dataset[key];
      status.dataset.state = state || "";
    }

    function fill(name, value) {
      var field = form.querySelector("input[type=hidden][name$='" + name + "']");
      if (field) { field.value = value || ""; }
    }

    var read = block.querySelector("[data-read]");
    read.addEventListener("click", function () {
      say("msgReading", "busy");
      nameField.value = "";
      var challenge;
      fetchJson(block.dataset.challengeUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin"
      }).then(function (body) {
        challenge = body.challenge;
        var request = { challenge: challenge };
        if (kind === "certificate") { request.pin = pinField.value; }
        return fetchJson(block.dataset.agent + "/" + kind + "/sign", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(request)
        });
      }).then(function (signed) {
        fill("card_challenge", challenge);
        fill("card_signature", signed.signature);
        fill("card_number", signed.card_number);
        fill("card_certificate", signed.certificate);
        if (pinField) { pinField.value = ""; }
        nameField.value = signed.name;
        say("msgOk", "ok");
      }).catch(function (error) {
        say(MESSAGE_FOR[error.code] || "msgError", "error");
      });
    });
    read.disabled = false;  /* rendered disabled: a press before this line did nothing */
  }

  function checkAgent(block) {
    var result = block.querySelector("[data-result]");
    var check = block.querySelector("[data-check]");
    check.addEventListener("click", function () {
      fetchJson(block.dataset.agent + "/status", {}).then(
        function () { result.textContent = block.dataset.msgOk; result.dataset.state = "ok"; },
        function () { result.textContent = block.dataset.msgFail; result.dataset.state = "error"; }
      );
    });
    check.disabled = false;
  }

  document.querySelectorAll("[data-cardreader]").forEach(setup);
  document.querySelectorAll("[data-agent-check]").forEach(checkAgent);
})();
