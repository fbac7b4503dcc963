"""Generate the regional labelled screening pairs (seeded; every name is fictitious).

Usage, from the repository root:
    python scripts/make_screening_pairs.py > src/dualuse/screening/data/eval_region_pairs.csv

The set mixes Russian, Kazakh and Kyrgyz companies and persons in Cyrillic and in several
romanisations (iuliia schemes), with legal forms, word-order changes and typos, and hard negatives
that share a legal form, a generic word or a city. The scoring weights were tuned on it, so its F1
is optimistic: complement it with hand-labelled real pairs.
"""
import csv, random, sys
import iuliia
rng = random.Random(20261129)
ROOTS = ["Элем","Нуртас","Алтынсай","Жетікон","Тенгрик","Сарыбел","Каратал","Ордабек","Кенжетай","Айдарлы","Бекмырза",
 "Темирхан","Ерлансу","Дастанбек","Акмарал","Шалкыма","Кызылжар","Сункарлы","Байтемир","Асылтас","Мейрамжан","Толганай",
 "Жанарбек","Нуралы","Арысбай","Кайнар","Ыссык","Чолпонбек","Талантбай","Эрмекбай","Бакыткан","Нарынбек","Айсулуу",
 "Медербек","Азаматбай","Жылдызкан","Тологон","Сапарбек","Мирлан","Кубанычбек","Уланбек","Бермет","Кыялбек",
 "Волгарь","Северстрел","Уралмет","Ладожец","Камастан","Приокский","Ветлуга","Сибирякин","Зарецкий","Полесов",
 "Донбарс","Светлогор","Ясногорец","Каменец","Белозор","Златодар","Мещерин","Окскарт","Тверцов","Ладомир"]
GENERIC = [("Групп","Group"),("Трейд","Trade"),("Техно","Techno"),("Электроникс","Electronics"),("Сервис","Service"),
 ("Импорт","Import"),("Логистик","Logistics"),("Инвест","Invest"),("Компонент","Components"),("Строй","Stroy"),("Снаб","Snab")]
CITIES = [("Алматы","Almaty"),("Бишкек","Bishkek"),("Астана","Astana"),("Москва","Moscow"),("Ош","Osh"),("Шымкент","Shymkent")]
FORMS = {"KZ":[("ТОО","TOO","LLP","LIMITED LIABILITY PARTNERSHIP"),("ЖШС","ZhShS","LLP","LIMITED LIABILITY PARTNERSHIP"),("АО","AO","JSC","JOINT STOCK COMPANY")],
 "KG":[("ОсОО","OsOO","LLC","LIMITED LIABILITY COMPANY"),("ЗАО","ZAO","CJSC","CLOSED JOINT STOCK COMPANY")],
 "RU":[("ООО","OOO","LLC","LIMITED LIABILITY COMPANY"),("АО","AO","JSC","JOINT STOCK COMPANY"),("ПАО","PAO","PJSC","PUBLIC JOINT STOCK COMPANY")]}
SCHEMES = [iuliia.WIKIPEDIA, iuliia.BGN_PCGN, iuliia.GOST_7034, iuliia.MVD_782, iuliia.ICAO_DOC_9303, iuliia.GOST_52535]
KZ = str.maketrans({"i":"і"})
def tr(text, scheme=None):
    s = scheme or rng.choice(SCHEMES)
    out = s.translate(text.replace("і","и"))
    return out.replace("”","").replace("’","").replace("ʹ","").replace("''","")
def english_style(latin):
    out = latin
    if rng.random()<.5: out = out.replace("kh","h")
    if rng.random()<.5: out = out.replace("ks","x")
    if rng.random()<.4: out = out.replace("y","i")
    return out
def typo(word):
    if len(word) < 5: return word
    i = rng.randrange(1, len(word)-1)
    op = rng.choice("dsit")
    letters = "абвгдеклмнорстaeioukmnrst"
    if op=="d": return word[:i]+word[i+1:]
    if op=="s": return word[:i]+rng.choice([c for c in "aeiou" if c!=word[i]]) +word[i+1:] if word.isascii() else word[:i]+rng.choice("аеиоу")+word[i+1:]
    if op=="i": return word[:i]+word[i]+word[i:]
    return word[:i]+word[i+1]+word[i]+word[i+2:]
def company():
    country = rng.choice(list(FORMS))
    form = rng.choice(FORMS[country])
    root = rng.choice(ROOTS)
    parts = [root]
    r = rng.random()
    gen = None
    if r < .7:
        gen = rng.choice(GENERIC); parts.append(gen[0])
    if rng.random() < .15:
        parts.insert(0, rng.choice(CITIES)[0])
    return country, form, parts, gen
def cyr_name(form, parts, quotes=True):
    body = " ".join(parts)
    return f"{form[0]} «{body}»" if quotes else f"{form[0]} {body}"
def lat_name(form, parts, gen, style):
    words = []
    for p in parts:
        eng = None
        if gen and p == gen[0] and rng.random()<.6: eng = gen[1]
        for c in CITIES:
            if p == c[0]: eng = c[1]
        words.append(eng or (english_style(tr(p)) if style else tr(p)))
    body = " ".join(words)
    k = rng.random()
    if k < .3: return f"{form[3]} {body.upper()}"
    if k < .6: return f"{body} {form[2]}"
    if k < .8: return f'{form[1]} "{body}"'
    return f"{body.upper()}, {form[2]}"
rows = []
def add(a,b,m,kind,script): rows.append((a,b,int(m),kind,script))
# positives: companies
for i in range(170):
    country, form, parts, gen = company()
    kind = rng.random()
    a = cyr_name(form, parts, quotes=rng.random()<.7)
    if kind < .55:
        b = lat_name(form, parts, gen, style=rng.random()<.5); sc="cross"
    elif kind < .7:
        b = cyr_name(form, list(reversed(parts)) if len(parts)>1 and rng.random()<.5 else parts, quotes=False); sc="cyrillic"
        b = b if rng.random()<.5 else b.replace(form[0], rng.choice(FORMS[country])[0] if False else form[0])
        b = " ".join(typo(w) if rng.random()<.5 and len(w)>5 else w for w in b.split())
        if b == a: b = typo(parts[0]) + " " + " ".join(parts[1:])
    elif kind < .85:
        a = lat_name(form, parts, gen, style=False); b = lat_name(form, parts, gen, style=True); sc="latin"
        if rng.random()<.5:
            b = lat_name(form, [typo(tr(parts[-1]))] + parts[:-1] if False else parts[:-1] + [typo(parts[-1])], gen, style=True)
    else:
        b = lat_name(form, [typo(parts[0])]+parts[1:], gen, style=True); sc="cross"
    add(a,b,1,"company",sc)
# merged/split tokens
for i in range(15):
    r1, r2 = rng.sample(ROOTS, 2)
    merged = r1 + r2.lower()
    add(f"АО «{merged}»", f"{tr(r1)} {tr(r2)} JSC", 1, "company", "cross")
# negatives: shared legal form + generic word, different root
for i in range(110):
    country, form, parts, gen = company()
    ri = next(j for j, p in enumerate(parts) if p in ROOTS)
    other = list(parts)
    other[ri] = rng.choice([r for r in ROOTS if r != parts[ri] and r[:3] != parts[ri][:3]])
    if rng.random()<.5:
        add(cyr_name(form, parts), cyr_name(form, other), 0, "company", "cyrillic")
    else:
        add(cyr_name(form, parts), lat_name(form, other, gen, style=rng.random()<.5), 0, "company", "cross")
# negatives: same root family, sister companies with different generic word
for i in range(25):
    country, form, parts, gen = company()
    g1, g2 = rng.sample(GENERIC, 2)
    add(cyr_name(form, [parts[0], g1[0]]), cyr_name(form, [parts[0], g2[0]]), 0, "company", "cyrillic")
# negatives: generic-only names sharing a city or generic words
for i in range(40):
    c = rng.choice(CITIES); g1, g2, g3 = rng.sample(GENERIC, 3)
    form = rng.choice(FORMS["KZ"])
    a = f"{form[0]} «{c[0]} {g1[0]} {g2[0]}»"
    b = f"{c[1]} {g1[1]} {g3[1]} {form[2]}" if rng.random()<.5 else f"{form[0]} «{c[0]} {g3[0]} {g2[0]}»"
    add(a, b, 0, "company", "cross" if b.isascii() else "cyrillic")
# persons
FIRST = ["Айдар","Нурлан","Ерлан","Бауыржан","Асель","Динара","Марат","Жанна","Темирлан","Алия","Бакыт","Гульнара","Азамат","Эрмек","Чынара","Сергей","Ольга","Дмитрий","Наталья","Андрей","Ирина"]
LAST = ["Сарыбаев","Кенжеханов","Жумабеков","Абдрахманов","Тулегенов","Исмаилов","Осмонкулов","Токтогулов","Бейшеналиев","Садыркулов","Мамбетов","Орозбеков","Кузнецов","Воробьёв","Шевчук","Лебедянский","Ермолов","Щеглов","Ахметжанов","Серикбаев","Жолдасбеков","Нурпеисов"]
def patronymic(first, female):
    base = rng.choice(["Серик","Болат","Асан","Ермек","Кайрат","Виктор","Марат"])
    return base + ("овна" if female else "ович")
def feminine(last): return last[:-2] + "ая" if last.endswith("ий") else last + "а"
for i in range(110):
    f = rng.choice(FIRST); l = rng.choice(LAST); female = f in ("Асель","Динара","Жанна","Алия","Гульнара","Чынара","Ольга","Наталья","Ирина")
    if female: l = feminine(l)
    p = patronymic(f, female)
    full = f"{l} {f} {p}"
    r = rng.random()
    if r < .35:
        b = f"{tr(f)} {tr(l)}".upper(); sc="cross"
        b = f"{tr(f)} {tr(p)} {tr(l)}"
    elif r < .55:
        b = f"{tr(l)}, {tr(f)} {tr(p)}".upper(); sc="cross"
    elif r < .75:
        b = f"{f} {p} {typo(l)}"; sc="cyrillic"
    else:
        sch = rng.sample(SCHEMES, 2)
        full = f"{tr(f, sch[0])} {tr(l, sch[0])}"; b = f"{tr(l, sch[1])} {tr(f, sch[1])}"; sc="latin"
    add(full, b, 1, "person", sc)
for i in range(80):
    f = rng.choice(FIRST); l1, l2 = rng.sample(LAST, 2); female = f in ("Асель","Динара","Жанна","Алия","Гульнара","Чынара","Ольга","Наталья","Ирина")
    if female: l1, l2 = feminine(l1), feminine(l2)
    p = patronymic(f, female)
    r = rng.random()
    if r < .5:
        add(f"{l1} {f} {p}", f"{tr(f)} {tr(p)} {tr(l2)}", 0, "person", "cross")
    else:
        f2 = rng.choice([x for x in FIRST if x != f])
        add(f"{l1} {f} {p}", f"{l1} {f2} {patronymic(f2, female)}", 0, "person", "cyrillic")
rng.shuffle(rows)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["name1","name2","is_match","kind","script"])
seen=set()
for r in rows:
    if (r[0],r[1]) in seen: continue
    seen.add((r[0],r[1])); w.writerow(r)
