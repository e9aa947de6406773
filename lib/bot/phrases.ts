/**
 * What the built-in bot says, in the seven languages it recognizes. The help center is English, so in the
 * other languages the bot only greets, thanks, apologizes and offers a person, politely.
 */
export const LANGS = ["en", "es", "fr", "de", "pt", "it", "nl"] as const;
export type Lang = typeof LANGS[number];

export interface Phrases {
  greeting: string;
  thanks: string;
  /** The customer asked for a person. */
  handoff: string;
  /** The customer is frustrated. */
  frustrated: string;
  /** A question in this language that the bot cannot answer (the help center is English). */
  notInLanguage: string;
  /** No section answers the question: say so and offer a person. */
  unsure: string;
  /** Second miss in a row. */
  unsureAgain: string;
}

export const PHRASES: Record<Lang, Phrases> = {
  en: {
    greeting: "Hello! How can I help you today?",
    thanks: "You're welcome! Is there anything else I can help with?",
    handoff: "Of course. Let me get a person for you: someone from our team will join this chat " +
      "shortly.",
    frustrated:
      "I'm sorry this has been frustrating. I'm getting a person from our team to help you.",
    notInLanguage: "",
    unsure: "I'm not sure about that one: I couldn't find it in our help center, and I'd rather " +
      'not guess. Would you like a person from our team? Just say "talk to a human".',
    unsureAgain: "I still can't find an answer to that, so I'm getting a person from our team.",
  },
  es: {
    greeting: "¡Hola! ¿En qué puedo ayudarle?",
    thanks: "¡De nada! ¿Puedo ayudarle con algo más?",
    handoff:
      "Por supuesto. Le paso con una persona de nuestro equipo; se unirá a este chat en breve.",
    frustrated:
      "Lamento mucho las molestias. Le paso con una persona de nuestro equipo para ayudarle.",
    notInLanguage:
      "Lo siento, por ahora solo puedo responder preguntas en inglés. Le paso con una " +
      "persona de nuestro equipo que podrá ayudarle.",
    unsure: "Lo siento, no he encontrado la respuesta. ¿Quiere que le pase con una persona?",
    unsureAgain:
      "Sigo sin encontrar la respuesta, así que le paso con una persona de nuestro equipo.",
  },
  fr: {
    greeting: "Bonjour ! Comment puis-je vous aider ?",
    thanks: "Avec plaisir ! Puis-je vous aider pour autre chose ?",
    handoff: "Bien sûr. Je vous mets en relation avec une personne de notre équipe ; elle va " +
      "rejoindre cette conversation.",
    frustrated:
      "Je suis désolé pour ce désagrément. Je vous mets en relation avec une personne de " +
      "notre équipe.",
    notInLanguage: "Désolé, pour l'instant je ne peux répondre qu'en anglais. Je vous mets en " +
      "relation avec une personne de notre équipe qui pourra vous aider.",
    unsure:
      "Désolé, je n'ai pas trouvé de réponse. Voulez-vous parler à une personne de notre équipe ?",
    unsureAgain:
      "Je ne trouve toujours pas de réponse ; je vous mets en relation avec notre équipe.",
  },
  de: {
    greeting: "Hallo! Wie kann ich Ihnen helfen?",
    thanks: "Gern geschehen! Kann ich sonst noch etwas für Sie tun?",
    handoff:
      "Gern. Ich hole eine Person aus unserem Team dazu; sie meldet sich gleich in diesem Chat.",
    frustrated:
      "Das tut mir leid. Ich hole eine Person aus unserem Team dazu, die Ihnen weiterhilft.",
    notInLanguage:
      "Entschuldigung, ich kann Fragen im Moment nur auf Englisch beantworten. Ich hole " +
      "eine Person aus unserem Team dazu, die Ihnen weiterhelfen kann.",
    unsure:
      "Leider habe ich dazu keine Antwort gefunden. Möchten Sie mit einer Person aus unserem " +
      "Team sprechen?",
    unsureAgain:
      "Ich finde immer noch keine Antwort und hole jetzt eine Person aus unserem Team dazu.",
  },
  pt: {
    greeting: "Olá! Como posso ajudar?",
    thanks: "De nada! Posso ajudar com mais alguma coisa?",
    handoff: "Claro. Vou chamar uma pessoa da nossa equipe; ela vai entrar neste chat em breve.",
    frustrated: "Sinto muito pelo transtorno. Vou chamar uma pessoa da nossa equipe para ajudar.",
    notInLanguage:
      "Desculpe, por enquanto só consigo responder em inglês. Vou chamar uma pessoa da " +
      "nossa equipe que poderá ajudar.",
    unsure: "Desculpe, não encontrei a resposta. Quer que eu chame uma pessoa da nossa equipe?",
    unsureAgain: "Ainda não encontrei a resposta, então vou chamar uma pessoa da nossa equipe.",
  },
  it: {
    greeting: "Salve! Come posso aiutarla?",
    thanks: "Prego! Posso aiutarla in qualcos'altro?",
    handoff: "Certo. Chiamo una persona del nostro team; si unirà a questa chat a breve.",
    frustrated: "Mi dispiace per il disagio. Chiamo una persona del nostro team per aiutarla.",
    notInLanguage:
      "Mi dispiace, per ora posso rispondere solo in inglese. Chiamo una persona del " +
      "nostro team che potrà aiutarla.",
    unsure:
      "Mi dispiace, non ho trovato una risposta. Vuole parlare con una persona del nostro team?",
    unsureAgain: "Non trovo ancora una risposta, quindi chiamo una persona del nostro team.",
  },
  nl: {
    greeting: "Hallo! Waarmee kan ik u helpen?",
    thanks: "Graag gedaan! Kan ik u nog ergens anders mee helpen?",
    handoff: "Natuurlijk. Ik haal iemand van ons team erbij; die komt zo in deze chat.",
    frustrated: "Het spijt me dat het zo loopt. Ik haal iemand van ons team erbij om u te helpen.",
    notInLanguage:
      "Sorry, ik kan vragen op dit moment alleen in het Engels beantwoorden. Ik haal " +
      "iemand van ons team erbij die u verder kan helpen.",
    unsure: "Sorry, ik heb daar geen antwoord op gevonden. Wilt u met iemand van ons team praten?",
    unsureAgain: "Ik vind nog steeds geen antwoord, dus ik haal iemand van ons team erbij.",
  },
};
