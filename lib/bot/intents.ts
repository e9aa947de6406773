/**
 * What a message is, before any help-center search: its language (npm `tinyld`, restricted to the
 * seven supported languages and checked against their function words from npm `stopword`), a
 * request for a person (direct or indirect: "call me", "someone from your team", "echte Person"),
 * frustration (shouting, "???", insults, "this is ridiculous") and small talk. Patterns are
 * matched on normalized text without accents, so "rappeler" and "llámame" match however typed.
 */
import { deu, eng, fra, ita, nld, por, spa } from "stopword";
import { detectAll } from "tinyld";
import { type Lang, LANGS } from "./phrases.ts";
import { normalize } from "../help/text.ts";

/** Normalized and without diacritics ("quiero hablar con alguién" → "quiero hablar con alguien"). */
export function fold(text: string): string {
  return normalize(text).normalize("NFD").replace(/\p{M}+/gu, "").replace(/ß/g, "ss");
}

const FUNCTION_WORDS: Record<Lang, Set<string>> = {
  en: new Set(eng),
  es: new Set(spa),
  fr: new Set(fra),
  de: new Set(deu),
  pt: new Set(por),
  it: new Set(ita),
  nl: new Set(nld),
};
for (const [lang, list] of Object.entries(FUNCTION_WORDS)) {
  for (const w of [...list]) list.add(fold(w));
  if (lang === "en") {
    ["i", "you", "my", "your", "how", "do", "does", "can", "is"].forEach((w) => list.add(w));
  }
}

export interface Detected {
  lang: Lang;
  /** False when the text is too short or mixed to tell; English is then assumed. */
  confident: boolean;
}

/** The message's language among the seven; English unless another one clearly wins. */
export function detectLanguage(input: string): Detected {
  // Markup and addresses say nothing about the language ("<img src=x>", "https://…").
  const text = input.replace(/<[^>]{0,500}>/g, " ").replace(/\bhttps?:\/\/\S+/g, " ");
  const words = fold(text).split(" ").filter(Boolean);
  const score: Record<string, number> = {};
  for (const lang of LANGS) score[lang] = 0;
  for (const w of words) {
    const in_ = LANGS.filter((l) => FUNCTION_WORDS[l].has(w));
    for (const l of in_) score[l] += 1 / in_.length;
  }
  const raw = normalize(text);
  if (/[¿¡ñ]/.test(text)) score.es += 1;
  if (/[ãõ]|ção|ções/.test(raw)) score.pt += 1;
  if (/[äöüß]/.test(raw)) score.de += 1;
  if (/[èàùâêîôûçœ]/.test(raw)) score.fr += 0.5, score.it += /[èàù]/.test(raw) ? 0.3 : 0;
  if (/\bij\b|ij[a-z]/.test(raw)) score.nl += 0.5;
  for (const { lang, accuracy } of detectAll(raw.slice(0, 1000), { only: [...LANGS] })) {
    score[lang] += 1.5 * accuracy;
  }
  score.en += 0.4; // the help center's language wins ties
  const ranked = LANGS.map((l) => [l, score[l]] as const).sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (best[0] === "en") return { lang: "en", confident: best[1] - second[1] >= 1 };
  const evidence = words.filter((w) => FUNCTION_WORDS[best[0]].has(w)).length;
  // Another language needs its own function words, not only the statistical guess.
  if (evidence === 0 && best[1] < 1.8) return { lang: "en", confident: false };
  // One of the language's own function words ("mon", "wie") with the detector's vote is enough.
  return { lang: best[0], confident: best[1] - score.en >= 0.8 || evidence >= 1 };
}

const PERSON: Record<Lang, RegExp[]> = {
  en: [
    /\b(talk|speak|chat|get through|be put through|email|write) (to|with) (a |an |some |your |the |one of your )?(real |live |actual |human )?(human|person|people|someone|somebody|anyone|anybody|agent|representative|rep|operator|staff|support|team member|member of (your )?staff|sales)\b/,
    /\b(real|live|actual|proper) (person|human|agent|people|humans)\b/,
    /\b(human|live) (agent|support|being|operator)\b/,
    /\b(want|need|get|give|connect|transfer|put) (me )?(through )?(to |with )?(a|an|some|your|the) (human|person|agent|representative|operator|real person|rep)\b/,
    /\b(i want|i need|get me|give me) (a |an )?(human|person|agent)\b/,
    /\b(representative|operator)\b/,
    /^(agent|human|person|someone|rep|a person|a human|yes a person)( please| now| pls)*$/,
    // "call me", but not "can invitees call me" (a question about the product).
    /(?<!\b(invitees?|clients?|customers?|guests?|people|they|attendees?|leads?|users?) (can |could |will |would |to |then )?)\b(call|ring|phone) me( back)?\b|\bgive me a (call|ring|buzz)\b|\bcall ?back\b/,
    /\b(have|get|can|could) (someone|somebody|anyone|a person|an agent|one of you) (to )?(call|phone|ring|contact|email|reach|get back to) (me|us)\b/,
    /\b(someone|somebody|anyone|a person) from (your |the )?(team|support|company|staff|sales|side|billing)\b/,
    /\b(get|put|connect|transfer) me (through )?(to |with )?(someone|somebody|a person|an agent|sales|support|your team|a manager)\b/,
    /\bis (there )?(anyone|anybody|someone|somebody|a human|a person|a real person)( actually| even| real(ly)?)? (there|here|around|available|i can talk to|to talk to|reading|listening)\b/,
    /\bis (there )?(a|any) (human|person|people|agent)\b/,
    /\b(escalate|hand me over|hand over)\b/,
    /\b(can|could|may) i (call|phone|ring) (you|someone|somebody|your team|your support)\b|\b(someone|somebody|anyone|a person) i can (call|talk to|speak to|speak with|email)\b/,
    /\b(talk|speak) (to|with) (the|your|a) (manager|supervisor|boss|owner)\b/,
    /\b(customer service|customer support|support team|sales team)\b.*\b(talk|speak|contact|reach|get)\b|\b(contact|reach|get) (your )?(customer service|sales|support team)\b/,
  ],
  es: [
    /\b(hablar|comunicarme|contactar|chatear|hablo) con (una |un |alguien|algun |el |la )?(persona|humano|alguien|agente|asesor|asesora|operador|operadora|representante|empleado|soporte|equipo)/,
    /\b(persona|agente) (real|de verdad|humana)\b|\bun humano\b|\bser humano\b/,
    /\b(me )?(pueden|puede|podrian|podria|podeis) (llamar|contactar|telefonear)|\bllam(e|a|en)me\b|\bque me llamen\b/,
    /\balguien (de|del) (su|tu|vuestro|el) (equipo|soporte|empresa)\b/,
    /\batencion al cliente\b/,
  ],
  fr: [
    /\bparler (a|avec) (un |une |quelqu'un|quelqu un|un vrai|une vraie)?(humain|personne|conseiller|conseillere|agent|operateur|operatrice|quelqu'un|quelqu un|vraie personne|responsable|membre)/,
    /\b(vraie personne|etre humain|un humain|service client)\b/,
    /\b(me|nous) (rappeler|rappelle|appeler|contacter)\b|\b(rappelez|appelez|contactez) (moi|nous)\b/,
    /\bquelqu ?'?un de (votre|l'|l) ?(equipe|service|support)\b/,
  ],
  de: [
    /\b(mit|zu) (einem|einer|jemandem|jemand|einem echten|einer echten) ?(mitarbeiter|mitarbeiterin|menschen|mensch|person|berater|beraterin|agenten|kundenberater|support|ansprechpartner)?\b.*\b(sprechen|reden|verbinden|chatten|schreiben)\b/,
    /\b(echte[nrm]?|richtige[nrm]?|reale[nrm]?) (person|mensch|menschen|mitarbeiter)\b/,
    /\b(rufen sie mich|ruf mich|mich (bitte )?(zuruck|an)?rufen|ruckruf|zuruckrufen)\b/,
    /\bjemand (aus|von) (ihrem|eurem|dem|ihrer) (team|support|firma)\b/,
    /\b(kundenservice|kundendienst)\b/,
  ],
  pt: [
    /\bfalar com (um |uma |alguem|algum |o |a )?(atendente|pessoa|humano|agente|operador|consultor|representante|alguem|equipe|suporte)/,
    /\b(pessoa|atendente) (real|de verdade|humana?)\b|\bum humano\b|\bser humano\b/,
    /\bme (ligar|ligue|liga|ligam|ligarem|retornar|retorne|telefonar)\b|\b(ligar|ligue|liga) (pra|para) mim\b|\bligue me\b/,
    /\balguem (da|do|de) (sua |vossa )?(equipe|suporte|empresa|time)\b/,
  ],
  it: [
    /\bparlare con (un |una |qualcuno|il |la |un vero |una vera )?(operatore|operatrice|persona|umano|agente|consulente|addetto|addetta|qualcuno|assistenza)/,
    /\b(persona|operatore) (vera|reale|umana?)\b|\bun umano\b|\bessere umano\b/,
    /\b(mi|ci) (potete|puoi|puo|potreste|potrebbe) (ri)?chiamare\b|\b(ri)?chiamatemi\b|\b(ri)?chiamami\b/,
    /\bqualcuno del (vostro |tuo )?(team|supporto|servizio)\b/,
  ],
  nl: [
    /\b(met|tegen) (een|iemand|een echte|een echt)? ?(medewerker|medewerkster|mens|persoon|agent|iemand)\b.*\b(spreken|praten|chatten|bellen)\b|\b(spreken|praten) (met|tegen) (een |iemand)/,
    /\b(echt|echte) (persoon|mens|medewerker)\b|\been mens\b/,
    /\b(mij|me|ons) (terug)?bellen\b|\bterugbellen\b|\bbel (mij|me) (terug)?\b/,
    /\biemand van (jullie|het|uw) (team|support|klantenservice)\b/,
    /\bklantenservice\b/,
  ],
};

const FRUSTRATION: Record<Lang, RegExp[]> = {
  en: [
    /\b(useless|ridiculous|pointless|stupid|terrible|awful|rubbish|garbage|pathetic|unacceptable|joke|nonsense|incompetent|hopeless)\b/,
    /\b(wtf|ffs|for god'?s sake|fed up|sick of (this|it)|waste of (my )?time)\b/,
    /\byou('re| are) not (helping|helpful|listening|understanding|getting it)\b/,
    /\b(you|this|that|it) (isn't|is not|aren't|are not|don't|do not|doesn't|does not|didn't|did not) (help|helping|helpful|answer|listen|understand)\b/,
    /\bnot what i (asked|need|wanted)\b|\bi (already|just) (said|told you|asked)\b/,
    /\b(keep|keeps) (sending|giving|saying|showing|repeating)\b|\bsame (answer|article|link|thing) (again|over)\b/,
    /\b(\d+|two|three|four|five|several|many|multiple) times (now|already)?\b.*\b(asked|said|told|tried|sent)\b|\b(asked|said|told|tried) .*\b(\d+|two|three|several|many|multiple) times\b/,
    /\b(been waiting|still waiting|still not (fixed|working|resolved)|nobody (helps|answers|replies))\b/,
  ],
  es: [
    /\b(no sirve|no funciona nada|ridiculo|inutil|pesimo|una verguenza|harto|harta|absurdo|inaceptable|tomadura de pelo)\b/,
  ],
  fr: [
    /\b(inadmissible|n'importe quoi|n importe quoi|inutile|ridicule|nul|ras le bol|marre|inacceptable|scandaleux|trois fois|plusieurs fois)\b/,
  ],
  de: [
    /\b(nutzlos|lacherlich|unverschamt|frechheit|sinnlos|bringt nichts|unmoglich|unakzeptabel|zum (dritten|x ?ten) mal|reicht mir)\b/,
  ],
  pt: [
    /\b(absurdo|ridiculo|inutil|nao serve para nada|palhacada|ninguem resolve|pessimo|inaceitavel|vergonha)\b/,
  ],
  it: [/\b(inutile|ridicolo|assurdo|vergogna|non serve a niente|pessimo|inaccettabile|basta)\b/],
  nl: [/\b(belachelijk|nutteloos|waardeloos|onzin|schandalig|slecht|onacceptabel|het is genoeg)\b/],
};

/** The language whose person-request patterns match, or null. */
export function wantsPerson(text: string, prefer?: Lang): Lang | null {
  const t = fold(text);
  return pick(LANGS.filter((lang) => PERSON[lang].some((re) => re.test(t))), prefer);
}

/** The preferred language if it is among `found`, else the first found. */
function pick(found: Lang[], prefer?: Lang): Lang | null {
  return prefer && found.includes(prefer) ? prefer : found[0] ?? null;
}

/** Mostly capitals over at least eight letters and two words: the customer is shouting. */
export function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, "");
  const upper = letters.replace(/[^\p{Lu}]/gu, "");
  return letters.length >= 8 && text.trim().split(/\s+/).length >= 2 &&
    upper.length / letters.length >= 0.85;
}

/** Frustration: shouting, "!!!", "??" with a complaint, or a complaint in one of the languages. */
export function frustration(text: string, prefer?: Lang): Lang | "any" | null {
  if (/!{3,}/.test(text) || isShouting(text)) return "any";
  const t = fold(text);
  if (/\?{2,}|\?!|!\?/.test(text) && /\b(seriously|really|again|why|what)\b/.test(t)) return "en";
  return pick(LANGS.filter((lang) => FRUSTRATION[lang].some((re) => re.test(t))), prefer);
}

export type SmallTalk = "greeting" | "thanks" | "help";

const GREETING =
  /^(hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|hola|buenos dias|buenas( tardes| noches)?|bonjour|bonsoir|salut|hallo|guten (morgen|tag|abend)|moin|servus|ola|oi|bom dia|boa (tarde|noite)|ciao|buongiorno|buonasera|salve|goedemorgen|goedemiddag|goedenavond|hoi|dag)( there| again| all| everyone| team| folks| bot)*$/;
const THANKS =
  /^((ok|okay|great|perfect|awesome|nice|cool|super|parfait|perfecto|perfekt|perfeito|perfetto) )?(thanks|thank you|thx|ty|cheers|many thanks|much appreciated|appreciate it|that helps|that helped|gracias|muchas gracias|merci|merci beaucoup|danke|danke schon|vielen dank|obrigad[oa]|muito obrigad[oa]|grazie|grazie mille|dank je|dank u|bedankt)( (so|very) much| a lot| again| for (the|your) help)*( (cheers|bye))?$/;

/** "What can you do?": the customer wants to know what to ask. */
const HELP =
  /^((please )?help( me)?( please)?|can you help( me)?|what can you do|what do you do|what can i ask( you)?|how does this work|who are you|what are you|menu|options)$/;

/** The whole message is small talk (a greeting followed by a question is not). */
export function smallTalk(text: string): SmallTalk | null {
  const t = fold(text);
  if (GREETING.test(t)) return "greeting";
  if (THANKS.test(t)) return "thanks";
  if (HELP.test(t)) return "help";
  return null;
}

const TALK_LANG: [RegExp, Lang][] = [
  [/\b(hola|buen[oa]s|gracias)\b/, "es"],
  [/\b(bonjour|bonsoir|salut|merci)\b/, "fr"],
  [/\b(guten|moin|servus|danke|dank)\b|\bhallo\b/, "de"],
  [/\b(ola|oi|bom|boa|obrigad[oa])\b/, "pt"],
  [/\b(ciao|buongiorno|buonasera|salve|grazie)\b/, "it"],
  [/\b(goedemorgen|goedemiddag|goedenavond|hoi|dag|bedankt|dank (je|u))\b/, "nl"],
];

/** The language of a greeting or thanks ("merci" is French however short), or null. */
export function smallTalkLanguage(text: string): Lang | null {
  const t = fold(text);
  return TALK_LANG.find(([re]) => re.test(t))?.[1] ?? null;
}

/** "Hi, how do I …" → "how do I …". */
export function stripGreeting(text: string): string {
  return text.replace(
    /^\s*(hi|hello|hey|hiya|good (morning|afternoon|evening))( there| team| all)?[\s,.!:;-]+/i,
    "",
  );
}
