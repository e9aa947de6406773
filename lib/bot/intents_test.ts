/** Tests for intents.ts: language, requests for a person, frustration and small talk. */
import assert from "node:assert/strict";
import { detectLanguage, frustration, smallTalk, wantsPerson } from "./intents.ts";

Deno.test("language: the seven languages, and English despite typos or few words", () => {
  const cases: [string, string][] = [
    ["¿Cómo cancelo mi suscripción?", "es"],
    ["Comment puis-je changer mon mot de passe ?", "fr"],
    ["Wie kann ich meinen Kalender verbinden?", "de"],
    ["Como faço para cancelar a minha assinatura?", "pt"],
    ["Come posso cancellare il mio abbonamento?", "it"],
    ["Hoe kan ik mijn abonnement opzeggen?", "nl"],
    ["i forgot my pasword", "en"],
    ["sms remiders price?", "en"],
    ["and for teams?", "en"],
    ["zoom", "en"],
  ];
  for (const [text, lang] of cases) assert.equal(detectLanguage(text).lang, lang, text);
});

Deno.test("requests for a person in seven languages, direct and indirect", () => {
  const cases: [string, string][] = [
    ["talk to a human", "en"],
    ["can someone from your team call me?", "en"],
    ["Is anyone actually there?", "en"],
    ["Please have somebody give me a ring", "en"],
    ["quiero hablar con una persona", "es"],
    ["necesito un humano", "es"],
    ["¿Me puede llamar alguien de su equipo?", "es"],
    ["Je voudrais parler à un conseiller", "fr"],
    ["Pouvez-vous me rappeler ?", "fr"],
    ["Kann ich bitte mit einem Mitarbeiter sprechen?", "de"],
    ["Ich möchte eine echte Person", "de"],
    ["Quero falar com um atendente", "pt"],
    ["alguém da equipe pode me ligar?", "pt"],
    ["Vorrei parlare con un operatore", "it"],
    ["mi potete richiamare?", "it"],
    ["Ik wil graag met een medewerker spreken", "nl"],
    ["Kan iemand mij terugbellen?", "nl"],
  ];
  for (const [text, lang] of cases) {
    assert.ok(wantsPerson(text), text);
    assert.equal(wantsPerson(text, lang as never), lang, text);
  }
});

Deno.test("help questions that mention people or calls are not requests for a person", () => {
  for (
    const text of [
      "how do I add a phone call location",
      "how do I add more people to our account",
      "can invitees call me on my phone number",
      "how do I connect my calendar",
      "what is a collective event with my team",
    ]
  ) {
    assert.equal(wantsPerson(text), null, text);
  }
});

Deno.test("frustration: shouting, complaints and insults in several languages", () => {
  for (
    const text of [
      "THIS IS THE THIRD TIME MY CLIENTS COULDN'T BOOK",
      "ok this bot is useless",
      "seriously?? that doesn't answer my question",
      "I've asked 3 times now",
      "esto no sirve para nada",
      "c'est n'importe quoi",
      "das ist lächerlich",
      "isso é um absurdo",
      "è ridicolo",
      "dit is belachelijk",
      "Help!!!",
    ]
  ) {
    assert.ok(frustration(text), text);
  }
  assert.equal(frustration("how do I reschedule a meeting?"), null);
  assert.equal(frustration("Thanks, that helped"), null);
});

Deno.test("small talk in several languages; a greeting with a question is not small talk", () => {
  assert.equal(smallTalk("Hello there!"), "greeting");
  assert.equal(smallTalk("Buenos días"), "greeting");
  assert.equal(smallTalk("merci beaucoup"), "thanks");
  assert.equal(smallTalk("Vielen Dank"), "thanks");
  assert.equal(smallTalk("hi, how do I reset my password?"), null);
});
