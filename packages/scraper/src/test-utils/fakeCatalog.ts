// The invented catalogue served by the fake Genius server. Every title and lyric here
// was written for these tests; none is a real song. Artist names match the scraper's
// default artists so the CLI can run against the fake with no flags, plus decoys:
// "Almendras del Sur" (a search hit that must not be taken for Almendra), "Invisible
// Kids" (the only hit for "Invisible": a wrong artist), a translations pseudo-artist
// and another artist on whose song Almendra is only featured.

/** An artist of the fake catalogue. */
export interface FakeArtist {
  id: number;
  name: string;
}

/** A song of the fake catalogue. `lyrics` holds section headers; null = page without lyrics. */
export interface FakeSong {
  id: number;
  title: string;
  primaryArtistId: number;
  featuredArtistIds?: number[];
  album?: string | null;
  releaseDate?: string | null;
  lyricsState?: 'complete' | 'unreleased';
  lyrics: string | null;
  /** 'modern' (default): junk in an excluded header; 'legacy': junk as plain text inside the lyrics. */
  markup?: 'modern' | 'legacy';
  /** What the scraper should do with it (documentation for tests; the server ignores it). */
  expect: 'keep' | string;
}

export const FAKE_ARTISTS: FakeArtist[] = [
  { id: 101, name: 'Almendra' },
  { id: 102, name: 'Pescado Rabioso' },
  { id: 103, name: 'Luis Alberto Spinetta' },
  { id: 900, name: 'Invisible Kids' },
  { id: 901, name: 'Genius Traducciones al Español' },
  { id: 902, name: 'Orquesta del Viento Sur' },
  { id: 903, name: 'Almendras del Sur' },
];

const BARCO = `[Verso 1]
Un barco de nube cruza la plaza
con velas de papel & sal
los chicos lo miran desde la casa
y nadie lo quiere parar

[Coro: Almendra]
Barco de nube, llevame lejos
donde la tarde no tenga final
barco de nube, soplan los viejos
y el humo se vuelve a doblar

[Verso 2]
Tengo un boleto de cartón mojado
y un perro que sabe nadar
el capitán es un gato cansado
que duerme mirando hacia el mar`;

const RIO = `[Intro]
Ah, ah

[Verso 1]
El río lento no sabe mi nombre
lo digo bajito y se va
tiene un color de cobre y de hombre
que vuelve del pueblo de atrás

[Coro]
Río lento, río de barro
llevate la pena a pasear
río lento, te doy mi cigarro
si no me contás dónde está`;

const FAROLES = `[Verso 1]
Noche de faroles en la calle del puerto
las sombras se estiran al andar
un gato de lata vigila despierto
la luna que quiere bajar

[Coro]
Faroles, faroles, encendidos de a uno
la ciudad es un barco al revés
faroles, faroles, no queda ninguno
que sepa contar hasta diez`;

export const FAKE_SONGS: FakeSong[] = [
  {
    id: 1001,
    title: 'Barco de Nube',
    primaryArtistId: 101,
    album: 'Cielo de Tiza',
    releaseDate: '1969-11-01',
    lyrics: BARCO,
    expect: 'keep',
  },
  {
    id: 1002,
    title: 'Barco de Nube (Remasterizado)',
    primaryArtistId: 101,
    album: 'Antología',
    releaseDate: null,
    lyrics: BARCO.replace('perro', 'pájaro'),
    expect: 'duplicate-title',
  },
  { id: 1003, title: 'Tarde de Tiza (En Vivo)', primaryArtistId: 101, lyrics: BARCO, expect: 'title-live' },
  {
    id: 1004,
    title: 'Río Lento',
    primaryArtistId: 101,
    album: 'Cielo de Tiza',
    releaseDate: '1969-11-01',
    lyrics: RIO,
    markup: 'legacy',
    expect: 'keep',
  },
  {
    id: 1005,
    title: 'Río Lento (Traducción al Inglés)',
    primaryArtistId: 901,
    featuredArtistIds: [101],
    lyrics: 'Slow river does not know my name\nI say it softly and it leaves\n'.repeat(3),
    expect: 'translation',
  },
  {
    id: 1006,
    title: 'Cielo de Tiza (Tracklist)',
    primaryArtistId: 101,
    lyrics:
      '1. Barco de Nube\n2. Río Lento\n3. Noche de Faroles\n4. Marea Quieta\n5. Ventanita\n6. Faroles Nocturnos',
    expect: 'tracklist',
  },
  {
    id: 1007,
    title: 'Noche de Faroles',
    primaryArtistId: 101,
    album: null,
    releaseDate: '1970-03-15',
    lyrics: FAROLES,
    expect: 'keep',
  },
  {
    id: 1008,
    title: 'Faroles Nocturnos',
    primaryArtistId: 101,
    lyrics: FAROLES.replace('diez', 'diez otra vez'),
    expect: 'duplicate-lyrics',
  },
  {
    id: 1009,
    title: 'Marea Quieta',
    primaryArtistId: 101,
    lyrics: '[Instrumental]',
    expect: 'instrumental-only',
  },
  { id: 1010, title: 'Canción Sin Letra', primaryArtistId: 101, lyrics: null, expect: 'no-lyrics' },
  {
    id: 1011,
    title: 'Ventanita',
    primaryArtistId: 101,
    lyrics: '[Verso]\nVentanita, ventanita',
    expect: 'too-short',
  },
  {
    id: 1012,
    title: 'Fiesta Compartida',
    primaryArtistId: 902,
    featuredArtistIds: [101],
    lyrics: `[Verso]\nSomos muchos en la fiesta del viento\ncada uno trae un tambor de lata\nbailamos sobre el piso de cemento\nhasta que sale la luna de plata\n\n[Coro]\nFiesta, fiesta compartida\nnadie se va sin cantar`,
    expect: 'featured-only',
  },
  { id: 1013, title: 'Niebla (Remix)', primaryArtistId: 101, lyrics: FAROLES, expect: 'title-remix' },
  { id: 1014, title: 'Niebla (Karaoke)', primaryArtistId: 101, lyrics: FAROLES, expect: 'title-karaoke' },
  {
    id: 1015,
    title: 'Niebla - Bandas Eternas',
    primaryArtistId: 101,
    lyrics: FAROLES,
    expect: 'title-bandas-eternas',
  },
  {
    id: 1016,
    title: 'Canción Futura',
    primaryArtistId: 101,
    lyricsState: 'unreleased',
    lyrics: null,
    expect: 'lyrics-unreleased',
  },
  {
    id: 2001,
    title: 'Pez de Vidrio',
    primaryArtistId: 102,
    album: 'Pez de Vidrio',
    releaseDate: '1972-06-01',
    lyrics: `[Verso 1]\nUn pez de vidrio nada en mi vaso\ny me cuenta secretos del mar\nyo le contesto con un abrazo\nque no se puede mojar\n\n[Coro]\nPez de vidrio, pez de vidrio\nno te vayas a quebrar\nsi te caés en el domingo\nnadie te va a juntar`,
    expect: 'keep',
  },
  {
    id: 2002,
    title: 'Motor de Hierro',
    primaryArtistId: 102,
    album: 'Pez de Vidrio',
    releaseDate: '1972-06-01',
    lyrics: `[Verso 1]\nArranca el motor de hierro en la ruta\nel polvo se sube a mirar\nla radio repite una vieja disputa\nentre el asfalto y el mar\n\n[Puente]\nMás rápido, más rápido\nhasta que no quede lugar`,
    expect: 'keep',
  },
  {
    id: 2003,
    title: 'Pez de Vidrio (Instrumental)',
    primaryArtistId: 102,
    lyrics: '[Instrumental]',
    expect: 'title-instrumental',
  },
  {
    id: 3001,
    title: 'Jardín de Relojes',
    primaryArtistId: 103,
    album: 'Jardín',
    releaseDate: '1980-09-09',
    lyrics: `[Verso 1]\nEn el jardín de relojes dormidos\ncrecen las horas sin florecer\nun colibrí de minutos perdidos\nme pregunta qué quiero ser\n\n[Coro]\nY yo le digo que nada, que todo\nque un poco de agua y de sol\nque el tiempo se escapa de un modo\nque sólo lo sabe el amor`,
    expect: 'keep',
  },
  {
    id: 3002,
    title: 'Escalera al Patio',
    primaryArtistId: 103,
    album: null,
    releaseDate: null,
    lyrics: `[Verso]\nBajo la escalera que lleva al patio\ncon una lámpara sin querer\nel aire huele a jazmín y a armario\ny a algo que no sé leer\n\n[Coro]\nEscalera, escalera\ncada escalón es un ayer`,
    expect: 'keep',
  },
  {
    id: 9001,
    title: 'Ruido Transparente',
    primaryArtistId: 900,
    lyrics: `[Verso]\nThis is a song by a different band\nwith a similar name and nothing else\nits words must never enter the corpus\nnot a single line of it`,
    expect: 'wrong-artist',
  },
  {
    id: 9301,
    title: 'Tostadas de Domingo',
    primaryArtistId: 903,
    lyrics: `[Verso]\nUna canción de otra banda con nombre parecido\nque sale primero en la búsqueda\ny que el scraper tiene que ignorar\nporque no es la banda que pidió`,
    expect: 'wrong-artist',
  },
];
