"""Does a message ask to change someone else's record? ("please unsubscribe my colleague")

A sender can only speak for their own address. A request to unsubscribe, remove, delete or
update another person must not change the sender's record (the obvious plan for "unsubscribe
my colleague" is an opt-out of the sender) nor anyone else's: it goes to a person.

The test works per sentence, in English, German, Spanish, French and Portuguese: a verb that
changes a record or a subscription, with a reference to someone other than the sender next to
it (a possessive and a relation noun, a third-person object pronoun, a title and a name, a
capitalized full name right after the verb). A message that names another email address or says
someone left the company counts with any such verb anywhere.
A first-person object ("remove me", "me désinscrire", "darme de baja") keeps the verb the
sender's own, unless another person follows it ("unsubscribe me and my colleague").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from crm_crew.security.addresses import same_address

# Verbs that take a person off a list or out of the CRM: they always count.
_REMOVE_VERBS = "|".join((
    # en
    r"unsubscrib\w*", r"opt(?:ing|ed)?[- ]?(?:him\s+|her\s+|them\s+)?out", r"remov\w*", r"delet\w*",
    r"eras(?:e|ed|es|ing|ure)\b", r"take\b(?=.{0,30}\boff\b)", r"deactivat\w*", r"unenrol\w*",
    r"stop\s+(?:sending|e-?mailing|mailing|contacting|calling|messaging)", r"no\s+longer\s+(?:send|e-?mail|contact)",
    # de
    r"ab(?:zu)?melden", r"abgemeldet", r"ab(?:zu)?bestellen", r"aus(?:zu)?tragen", r"ausgetragen", r"entfern\w*",
    r"lösch\w*", r"streich\w*", r"gestrichen",
    r"(?:melde|meldet|melden|trage|tragt|tragen|nehme|nehmt|nehmen)\b(?=[^.!?\n]{0,80}\b(?:ab|aus|raus|heraus)\b)",
    r"nicht\s+mehr\s+(?:an|zu)?(?:schreiben|kontaktieren|schicken|senden|anrufen|anschreiben)",
    r"(?:aus|von)\s+(?:de[mr]|allen|ihre[mrn]?|eure[mrn]?|unsere[mrn]?)\s+(?:[\w-]+\s+)?"
    r"(?:verteiler|newsletter|liste|mailingliste|e-mail-liste|datenbank|system)\w*\s+(?:nehmen|streichen|löschen)",
    # es
    r"d(?:ar|ad|en|é|e)(?:lo|la|le|los|las|les|me|nos|se)?\s+de\s+baja", r"desuscrib\w*", r"elimin\w*",
    r"borr(?:ar|en|e|a)(?:lo|la|le|los|las|les|me|nos)?\b", r"quit(?:ar|en|a)(?:lo|la|le|los|las|les|me|nos)?\b",
    r"sac(?:ar|a|en)(?:lo|la|le|los|las|les|me|nos)?\b", r"dej(?:ar|en|e)\s+de\s+(?:enviar|mandar|escribir)",
    # fr
    r"désinscri\w*", r"désabonn\w*", r"retir(?:er|ez|e|es|ent)\b", r"supprim\w*", r"effac\w*", r"rayer",
    r"enlev\w*", r"ne\s+plus\s+(?:lui\s+|leur\s+)?(?:envoyer|écrire|contacter)",
    # pt
    r"descadastr\w*", r"cancel\w*\s+(?:a\s+)?inscrição", r"exclu(?:ir|a|am|í)[\w-]*", r"apag(?:ar|ue|uem|a)[\w-]*",
    r"tir(?:ar|e|em|á)[\w-]*\s+(?:\w+\s+){0,3}da\s+lista", r"parar?\s+de\s+(?:enviar|mandar)",
))
# Verbs that change a record: they count only with a record's field nearby ("update her email").
_UPDATE_VERBS = "|".join((
    r"updat\w*", r"chang\w*", r"correct\b", r"änder\w*", r"aktualisier\w*", r"korrigier\w*",
    r"actualic\w*", r"actualiz\w*", r"cambi\w*", r"corrij\w*", r"correg\w*",
    r"mettre\s+à\s+jour", r"modifi\w*", r"atualiz\w*", r"alter(?:ar|e|em)\b", r"mud(?:ar|e|em)\b",
))
_PAST = re.compile(r"[a-z]+ed$", re.IGNORECASE)
_PASSIVE = re.compile(r"(?<!\w)(?:be|been|being|get|gets|got|getting|is|are|was|were|have|has|had)(?:\s+\w+){0,2}\s*$",
                      re.IGNORECASE)
_REMOVE = re.compile(rf"(?<!\w)(?:{_REMOVE_VERBS})", re.IGNORECASE)
_UPDATE = re.compile(rf"(?<!\w)(?:{_UPDATE_VERBS})", re.IGNORECASE)
_NOUN_USE = re.compile(r"(?:^|\s)(?:an?|any|the|no|for|quick|latest|recent|status|this|that|some|your|our|my|big)\s*$",
                       re.IGNORECASE)
_RELATIONS = "|".join((
    # en
    r"colleagues?", r"co-?workers?", r"managers?", r"boss", r"supervisors?", r"team\s?(?:mates?|members?|leads?)",
    r"assistants?", r"secretary", r"employees?", r"staff\s+members?", r"interns?", r"predecessors?",
    r"successors?", r"wife", r"husband", r"spouse", r"partner", r"son", r"daughter", r"mother", r"father",
    r"mom", r"mum", r"dad", r"parents?", r"brother", r"sister", r"friends?", r"neighbou?rs?", r"clients?",
    r"director", r"ceo", r"cfo", r"cto", r"ex-employees?",
    # de
    r"kolleg(?:e|en|in|innen)", r"mitarbeiter(?:in|innen|s)?", r"chef(?:in)?", r"vorgesetzte[nr]?",
    r"assistent(?:in|en)?", r"sekretär(?:in)?", r"praktikant(?:in|en)?", r"vorgänger(?:in)?",
    r"nachfolger(?:in)?", r"ehefrau", r"ehemann", r"frau", r"mann", r"partner(?:in)?", r"sohn", r"tochter",
    r"mutter", r"vater", r"bruder", r"schwester", r"freund(?:in)?", r"kund(?:e|en|in)", r"geschäftsführer(?:in)?",
    # es
    r"compañer[oa]s?", r"colegas?", r"jef[ea]s?", r"gerentes?", r"supervisora?", r"asistentes?",
    r"secretari[oa]", r"emplead[oa]s?", r"trabajador(?:a|es)?", r"becari[oa]", r"predecesora?", r"sucesora?",
    r"espos[oa]", r"marido", r"mujer", r"pareja", r"soci[oa]", r"hij[oa]", r"madre", r"padre", r"herman[oa]",
    r"amig[oa]s?", r"vecin[oa]", r"clientes?", r"directora?",
    # fr
    r"collègues?", r"responsable", r"supérieure?", r"assistante?", r"secrétaire", r"employée?s?", r"salariée?",
    r"stagiaire", r"prédécesseur", r"successeur", r"épouse", r"époux", r"mari", r"femme", r"conjointe?",
    r"associée?", r"fils", r"fille", r"mère", r"père", r"frère", r"s(?:œ|oe)ur", r"amie?", r"voisine?",
    r"cliente?", r"directeur", r"directrice",
    # pt
    r"chefe", r"gestora?", r"secretári[oa]", r"funcionári[oa]s?", r"empregad[oa]", r"estagiári[oa]",
    r"antecessora?", r"sucessora?", r"mulher", r"companheir[oa]", r"sóci[oa]", r"filh[oa]", r"mãe", r"pai",
    r"irmão", r"irmã", r"vizinh[oa]", r"diretora?",
))
_OWNERS = "|".join((
    r"my", r"our", r"his", r"her", r"their", r"a", r"an", r"the", r"this", r"that", r"former", r"old",
    r"mein(?:e|en|em|er|es)?", r"unser(?:e|en|em|er|es)?", r"sein(?:e|en|em|er|es)?", r"ihr(?:e|en|em|er|es)?",
    r"de[rnm]", r"die", r"eine?[nmr]?",
    r"mis?", r"nuestr[oa]s?", r"sus?", r"el", r"la", r"los", r"las", r"una?", r"a\s+mi", r"a\s+su", r"al",
    r"mon", r"ma", r"mes", r"notre", r"nos", r"son", r"sa", r"ses", r"leurs?", r"le", r"les", r"l'", r"une?",
    r"meu", r"minha", r"meus", r"minhas", r"noss[oa]s?", r"seu", r"sua", r"o", r"os", r"as", r"do", r"da",
))
_DATA_NOUNS = (r"(?:e-?mail(?:\s+address)?|address|account|subscription|details|data|number|record|profile|"
               r"adresse|e-mail-adresse|daten|konto|abo|correo|dirección|cuenta|suscripción|datos|courriel|compte|"
               r"abonnement|données|endereço|conta|cadastro|dados|inscrição)")
_RECORD_NOUNS = re.compile(
    rf"(?<!\w)(?:{_DATA_NOUNS}|name|phone|contact(?:\s+person)?|title|telefon\w*|ansprechpartner\w*|kontakt\w*|"
    r"nombre|teléfono|contacto|nom|téléphone|interlocuteur|nome|telefone|contato|responsável)(?!\w)", re.IGNORECASE)
_PRONOUNS = "|".join((
    r"him", r"them", r"her(?!\s*(?:own|self))", r"(?:his|their)\s+" + _DATA_NOUNS,
    r"ihn", r"ihm", r"(?:seine?n?|ihre?n?)\s+" + _DATA_NOUNS,
    r"a\s+(?:él|ella|ellos|ellas)", r"su\s+" + _DATA_NOUNS,
    r"(?:son|sa|ses|leur)\s+" + _DATA_NOUNS,
    r"ele", r"ela", r"eles", r"elas", r"dele", r"dela", r"(?:seu|sua)\s+" + _DATA_NOUNS,
))
_OWNER = re.compile(rf"(?:{_OWNERS})", re.IGNORECASE)
_REFERENCE = re.compile(
    rf"(?<!\w)(?:(?:(?:{_OWNERS})\s+|l')(?:[\w-]+\s+)?(?:ex-)?(?:{_RELATIONS})|{_PRONOUNS})(?!\w)", re.IGNORECASE)
# A clitic on the verb itself: darlo de baja, eliminarla, descadastrá-lo, removê-la.
_OTHER_CLITIC = re.compile(r"\w(?:lo|la|los|las|le|les)$|-(?:lo|la|los|las|lhe|lhes)$", re.IGNORECASE)
_SELF_CLITIC = re.compile(r"\w(?:me|nos)$|-(?:me|nos)$", re.IGNORECASE)
# A pronoun in front of the verb: le/la/les désinscrire (someone else), me désinscrire / me descadastrar (self).
_OTHER_PROCLITIC = re.compile(r"(?:^|\s)(?:le|la|les|l'|lui|leur)\s*$", re.IGNORECASE)
_SELF_PROCLITIC = re.compile(r"(?:^|\s)(?:me|m'|nous|nos)\s*$", re.IGNORECASE)
_SELF_OBJECT = r"(?:me|myself|us|ourselves|mich|uns|moi|nous|mim|nos|a\s+mí|a\s+nosotr[oa]s)"
_SELF_AFTER = re.compile(rf"^[\s,]*{_SELF_OBJECT}(?!\w)", re.IGNORECASE)
# "unsubscribe me and my colleague": the sender's own request with someone else's joined to it.
_AND_SOMEONE = re.compile(rf"^[\s,]*(?:{_SELF_OBJECT}\s+)?(?:and|&|as\s+well\s+as|plus|und|sowie|y|e|et|ou|or|oder|o)"
                          r"\s+(?:a\s+|à\s+)?", re.IGNORECASE)
_FIRST_PERSON_OBJECT = re.compile(r"(?<!\w)(?:me|us|mich|uns|moi|mim)(?!\w)", re.IGNORECASE)
_TITLE_AND_NAME = re.compile(
    r"(?<!\w)(?:Mr|Mrs|Ms|Miss|Dr|Herrn?|Frau|Sra?|Srta|Don|Doña|M|Mme|Mlle|Monsieur|Madame|Senhora?|Dona)\.?"
    r"\s+([A-ZÀ-ÖØ-Þ][\w'-]+)")
_FULL_NAME_AFTER = re.compile(r"^\s*(?:(?:a|o)\s+)?([A-ZÀ-ÖØ-Þ][\w'-]+)\s+([A-ZÀ-ÖØ-Þ][\w'-]+)")
# Someone else left: the verbs of the message are about them.
_LEFT = re.compile(
    r"no\s+longer\s+works|is\s+no\s+longer\s+(?:with|employed|at|part\s+of)|(?:has|had)\s+left\s+(?:the|our|us)|"
    r"(?:ist|sind)\s+nicht\s+mehr\s+(?:bei|im|in|für)|hat\s+(?:das\s+unternehmen|die\s+firma|uns)\s+verlassen|"
    r"ya\s+no\s+trabaja|dejó\s+(?:la|nuestra)\s+empresa|(?:il|elle)\s+ne\s+travaille\s+plus|"
    r"(?:il|elle)\s+a\s+quitté|não\s+trabalha\s+mais|saiu\s+da\s+empresa", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']{1,64}@[^\s@<>()\[\],;:\"']{1,255}\.[^\s@<>()\[\],;:\"'.]{1,63}")
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WORD = re.compile(r"[\w-]*")
WINDOW = 80
MAX_VERBS = 200      # bounds the work on a hostile body; past that many change verbs, nothing new is learned


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).replace("\u2019", "'")
    return re.sub(r"[^\S\n]+", " ", text)


def _verbs(sentence: str) -> list[re.Match[str]]:
    """The record-changing verbs of a sentence asking for a change: update verbs only beside a record field,
    never as nouns; English past participles only in the passive ("be removed", not "the export deleted")."""
    def lead(m: re.Match[str]) -> str:
        return sentence[max(0, m.start() - 40):m.start()]

    found = [m for m in _REMOVE.finditer(sentence)
             if not (_PAST.match(_word_at(sentence, m.start())) and not _PASSIVE.search(lead(m)))]
    if _RECORD_NOUNS.search(sentence):
        found += [m for m in _UPDATE.finditer(sentence) if not _NOUN_USE.search(lead(m))]
    return found


def _word_at(text: str, start: int) -> str:
    return _WORD.match(text, start).group(0)  # type: ignore[union-attr]


def _someone_else(names: tuple[str, ...], sender_names: set[str]) -> bool:
    return not any(_OWNER.fullmatch(n) for n in names) and any(n.lower() not in sender_names for n in names)


def _names_a_person(text: str, sender_names: set[str]) -> bool:
    """Whether `text` starts with a reference to someone (my colleague, her, Mr. Okoro, Felix Brandt)."""
    if _REFERENCE.match(text):
        return True
    titled = _TITLE_AND_NAME.match(text)
    named = _FULL_NAME_AFTER.match(text)
    return any(m is not None and _someone_else(m.groups(), sender_names) for m in (titled, named))


def _third_party_verb(sentence: str, match: re.Match[str], sender_names: set[str]) -> bool:
    start, end = match.span()
    word = _word_at(sentence, start)
    after = sentence[end:end + WINDOW]
    before = sentence[max(0, start - WINDOW):start]
    own = bool(_SELF_AFTER.match(after) or _SELF_CLITIC.search(word) or _SELF_PROCLITIC.search(before))
    if own:
        joined = _AND_SOMEONE.match(after)
        return joined is not None and _names_a_person(after[joined.end():], sender_names)
    if _OTHER_CLITIC.search(word) or _OTHER_PROCLITIC.search(before) or _REFERENCE.search(after):
        return True
    titled = _TITLE_AND_NAME.search(after)
    if titled and _someone_else(titled.groups(), sender_names):
        return True
    named = _FULL_NAME_AFTER.match(after)
    if named and _someone_else(named.groups(), sender_names):
        return True
    mentions = [m for m in _REFERENCE.finditer(before)]
    mentions += [m for m in _TITLE_AND_NAME.finditer(before) if _someone_else(m.groups(), sender_names)]
    # "my manager asked me to unsubscribe": the sender is who the verb is about.
    return any(not _FIRST_PERSON_OBJECT.search(before[m.end():]) for m in mentions)


def asks_about_someone_else(text: str, sender_email: str, sender_names: Iterable[str] = ()) -> bool:
    """Whether the text asks to change (unsubscribe, remove, delete, update) a person other than the sender."""
    text = _clean(text)
    sentences = _SENTENCES.split(text)
    verbs = [(sentence, match) for sentence in sentences for match in _verbs(sentence)][:MAX_VERBS]
    if not verbs:
        return False
    if _LEFT.search(text):
        return True
    if any(not same_address(found, sender_email) for found in _EMAIL.findall(text)):
        return True
    names = {part.lower() for name in sender_names for part in name.split() if part}
    return any(_third_party_verb(sentence, match, names) for sentence, match in verbs)
