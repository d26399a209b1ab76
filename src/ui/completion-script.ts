// Shell completion scripts, derived from the commander program as built (commands, options, choices) and from the
// registries (provider, event, status, flow and scenario names), so a new command, option or scenario is completed
// without anyone retyping it here. In: the program; out: the text of a bash, zsh or fish script.
import type { Argument, Command, Option } from 'commander';
import { describeProviders } from './describe.js';
import { scenarioNames } from '../scenarios/scenarios.js';

export type Shell = 'bash' | 'zsh' | 'fish';

/** Words that depend on the provider typed before them (its events, statuses, flows); `all` when none is typed yet. */
interface ByProvider {
  byProvider: Readonly<Record<string, readonly string[]>>;
  all: readonly string[];
}

/** What a value may be: these words, the provider's words, a file name, or anything (nothing to suggest). */
type Values = readonly string[] | ByProvider | 'files' | 'any';
type Words = Readonly<Record<string, readonly string[] | ByProvider>>;

interface OptionSpec {
  flags: string[];
  description: string;
  values: Values | undefined;
}

interface CommandSpec {
  /** Words after the program name: [] for the program, ['config', 'init'] for a subcommand. */
  path: string[];
  description: string;
  options: OptionSpec[];
  args: Array<{ values: Values; variadic: boolean }>;
  subcommands: string[];
}

/** Words a shell can take as they are: a name with a quote, a space or a `$` in it is left out rather than escaped. */
const plain = /^[A-Za-z0-9_.:,@%+=/-]+$/;
const unique = (words: string[]): string[] => [...new Set(words)].filter((word) => plain.test(word));

function registryWords(): Words {
  const list = describeProviders();
  const perProvider = (pick: (event: (typeof list)[number]['events'][number]) => string[]): ByProvider => {
    const byProvider = Object.fromEntries(
      list.map((provider) => [provider.name, unique(provider.events.flatMap(pick))]),
    );
    return { byProvider, all: unique(Object.values(byProvider).flat()) };
  };
  return {
    provider: unique(list.map((provider) => provider.name)),
    event: perProvider((event) => [event.name]),
    status: perProvider((event) => event.statuses),
    flow: perProvider((event) => Object.keys(event.flows)),
    scenario: unique([...scenarioNames]),
  };
}

const isByProvider = (values: Values | undefined): values is ByProvider =>
  typeof values === 'object' && !Array.isArray(values);

/** A value's words from its name (`--scenario <name>` → scenario names) or its placeholder (`<file>` → files). */
function valuesFor(name: string, placeholder: string, choices: readonly string[] | undefined, words: Words): Values {
  if (choices !== undefined) return unique([...choices]);
  const known = words[name] ?? words[name.replace(/s$/, '')];
  if (known !== undefined) return known;
  return /file|dir|capture|input/.test(placeholder) ? 'files' : 'any';
}

function optionSpec(option: Option, words: Words): OptionSpec {
  const flags = [option.long, option.short].filter((flag): flag is string => flag !== undefined);
  const takesValue = option.required || option.optional;
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? '';
  const name = (option.long ?? '').replace(/^--/, '');
  return {
    flags,
    description: option.description,
    values: takesValue ? valuesFor(name, placeholder, option.argChoices, words) : undefined,
  };
}

function argSpec(arg: Argument, words: Words) {
  return { values: valuesFor(arg.name(), arg.name(), arg.argChoices, words), variadic: arg.variadic };
}

/** Every command of the program, the program itself first, with --help added where commander adds it implicitly. */
export function describeProgram(program: Command): CommandSpec[] {
  const words = registryWords();
  const help: OptionSpec = { flags: ['--help', '-h'], description: 'show help', values: undefined };
  const walk = (command: Command, path: string[]): CommandSpec[] => [
    {
      path,
      description: command.description(),
      options: [...command.options.map((option) => optionSpec(option, words)), help],
      args: command.registeredArguments.map((arg) => argSpec(arg, words)),
      subcommands: command.commands.map((sub) => sub.name()).filter((name) => name !== 'help'),
    },
    ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()])),
  ];
  return walk(program, []);
}

export function completionScript(shell: Shell, program: Command): string {
  const commands = describeProgram(program);
  return shell === 'fish'
    ? fishScript(program.name(), commands)
    : bashScript(program.name(), commands, shell === 'zsh');
}

const fn = (name: string) => `_${name.replace(/\W/g, '_')}`;
/** The providers that some value's words depend on. */
const providersIn = (commands: CommandSpec[]): string[] => [
  ...new Set(
    commands
      .flatMap((spec) => [...spec.options.map((option) => option.values), ...spec.args.map((arg) => arg.values)])
      .filter(isByProvider)
      .flatMap((values) => Object.keys(values.byProvider)),
  ),
];
const wordsReply = (words: readonly string[]): string => `COMPREPLY=($(compgen -W '${words.join(' ')}' -- "$cur"))`;

function bashScript(name: string, commands: CommandSpec[], zsh: boolean): string {
  // The provider's own words when one was typed before (`send utbs --status <Tab>`), else every provider's.
  const reply = (values: Values): string =>
    values === 'files'
      ? 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))'
      : values === 'any'
        ? 'COMPREPLY=()'
        : isByProvider(values)
          ? `case "$(${fn(name)}_provider)" in ${Object.entries(values.byProvider)
              .map(([provider, words]) => `${provider}) ${wordsReply(words)} ;;`)
              .join(' ')} *) ${wordsReply(values.all)} ;; esac`
          : wordsReply(values);
  const providers = providersIn(commands);
  const [root, ...rest] = commands as [CommandSpec, ...CommandSpec[]];
  const key = (spec: CommandSpec) => spec.path.join(' ');
  // A global option takes its value in any command; a command's own only there.
  const valueCases = commands.flatMap((spec) =>
    spec.options
      .filter((option) => option.values !== undefined)
      .map(
        (option) =>
          `    ${option.flags.map((flag) => (spec === root ? `*'|${flag}'` : `'${key(spec)}|${flag}'`)).join('|')}) ${reply(option.values as Values)}; return 0 ;;`,
      ),
  );
  const optionCases = rest.map(
    (spec) => `    '${key(spec)}') words='${spec.options.flatMap((option) => option.flags).join(' ')}' ;;`,
  );
  const positionCases = commands.flatMap((spec) => [
    ...(spec.subcommands.length > 0 ? [`    '${key(spec)}|0') ${reply(spec.subcommands)} ;;`] : []),
    ...spec.args.map(
      (arg, i) => `    '${key(spec)}|${i}'${arg.variadic ? `|'${key(spec)}|'*` : ''}) ${reply(arg.values)} ;;`,
    ),
  ]);
  const commandCases = rest.map((spec) => `'${spec.path.slice(0, -1).join(' ')}/${spec.path.at(-1)}'`);
  return `# ${zsh ? 'zsh' : 'bash'} completion for ${name}, generated by \`${name} completion ${zsh ? 'zsh' : 'bash'}\` from this version's commands.
# Load it from ~/.${zsh ? 'zshrc (after compinit)' : 'bashrc'}: source <(${name} completion ${zsh ? 'zsh' : 'bash'})
${zsh ? 'autoload -U +X bashcompinit && bashcompinit\n' : ''}
${fn(name)}_provider() {
  # The first provider name typed as an argument, not as an option's value ($key is the caller's command).
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    ${fn(name)}_takes_value "$key" "\${COMP_WORDS[i-1]}" && continue
    case "\${COMP_WORDS[i]}" in ${providers.join('|') || "''"}) printf '%s' "\${COMP_WORDS[i]}"; return ;; esac
  done
}

${fn(name)}_takes_value() {
  case "$1|$2" in
${valueCases.map((line) => line.replace(/\) .*$/, ') return 0 ;;')).join('\n')}
  esac
  return 1
}

${fn(name)}() {
  # zsh's bashcompinit numbers arrays from 1; bash from 0.
  [[ -n "\${ZSH_VERSION-}" ]] && setopt localoptions ksharrays
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" key="" word words n=0 i
  # Which command the words so far name, and how many positional arguments it already has.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    ${fn(name)}_takes_value "$key" "\${COMP_WORDS[i-1]}" && continue
    case "$key/$word" in
      ${commandCases.join('|')}) key="\${key:+$key }$word"; n=0 ;;
      *) n=$((n + 1)) ;;
    esac
  done
  case "$key|$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    words=''
    case "$key" in
${optionCases.join('\n')}
    esac
    COMPREPLY=($(compgen -W "$words ${root.options.flatMap((option) => option.flags).join(' ')}" -- "$cur"))
    return 0
  fi
  case "$key|$n" in
${positionCases.join('\n')}
  esac
  return 0
}

complete -F ${fn(name)} ${name}
`;
}

/** fish quotes: inside '…' only \\ and \\' are special. */
const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript(name: string, commands: CommandSpec[]): string {
  const lines = [
    `# fish completion for ${name}, generated by \`${name} completion fish\` from this version's commands.`,
    `# Save it: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  const all = commands.filter((spec) => spec.path.length > 0).map((spec) => spec.path.at(-1) as string);
  const providers = providersIn(commands);
  /** `complete` lines for words: one per provider (when it was typed) and every provider's when none was. */
  const wordLines = (head: string, when: string[], tail: string, values: readonly string[] | ByProvider): string[] => {
    const line = (conditions: string[], words: readonly string[]) =>
      `complete -c ${name}${conditions.length > 0 ? ` -n ${fishQuote(conditions.join('; and '))}` : ''}${head} -a ${fishQuote(words.join(' '))}${tail}`;
    if (!isByProvider(values)) return [line(when, values)];
    return [
      ...Object.entries(values.byProvider).map(([provider, words]) =>
        line([...when, `__fish_seen_subcommand_from ${provider}`], words),
      ),
      line([...when, `not __fish_seen_subcommand_from ${providers.join(' ')}`], values.all),
    ];
  };
  for (const spec of commands) {
    // The condition that this command is the one being typed: its words seen, none of its subcommands yet.
    const seen = spec.path.map((word) => `__fish_seen_subcommand_from ${word}`);
    const notYet = spec.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${spec.subcommands.join(' ')}`] : [];
    const when = spec.path.length === 0 ? [`not __fish_seen_subcommand_from ${all.join(' ')}`] : [...seen, ...notYet];
    const condition = when.length > 0 ? ` -n ${fishQuote(when.join('; and '))}` : '';
    const scope = spec.path.length === 0 ? '' : condition;
    for (const sub of commands.filter(
      (other) =>
        other.path.length === spec.path.length + 1 && other.path.slice(0, -1).join(' ') === spec.path.join(' '),
    )) {
      lines.push(
        `complete -c ${name}${condition} -a ${fishQuote(sub.path.at(-1) as string)} -d ${fishQuote(sub.description)}`,
      );
    }
    for (const option of spec.options) {
      const flags = option.flags
        .map((flag) => (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`))
        .join(' ');
      const described = ` -d ${fishQuote(option.description)}`;
      if (option.values !== undefined && option.values !== 'files' && option.values !== 'any') {
        lines.push(...wordLines(` ${flags} -x`, spec.path.length === 0 ? [] : when, described, option.values));
        continue;
      }
      const values = option.values === undefined ? '' : option.values === 'files' ? ' -r -F' : ' -x';
      lines.push(`complete -c ${name}${scope} ${flags}${values}${described}`);
    }
    for (const arg of spec.args.slice(0, 1)) {
      if (arg.values === 'files') lines.push(`complete -c ${name}${condition} -F`);
      else if (arg.values !== 'any') lines.push(...wordLines('', when, '', arg.values));
    }
  }
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}
