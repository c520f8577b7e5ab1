import { checkBlockDirectives, MappingTemplateSyntaxError } from '../../src/api/mapping-template-syntax';

describe('checkBlockDirectives', () => {
  test.each([
    ['no directives', '{"a": "$input.json(\'$\')"}'],
    ['nested blocks', '#foreach($a in $b)\n#if($foreach.hasNext),#end\n#end'],
    ['braced and spaced forms', '#{if}($a)x#{else}y#{end} #if ($a)z#end'],
    ['#set and #else are not blocks', '#set($a = 1)\n#if($a)x#elseif($b)y#else z#end'],
    ['escaped #end is text', '\\#end'],
    ['directives in comments', '## #end\n#* #if(\n#end *#\n#[[ #foreach( ]]#'],
    ['#end inside a longer name is no #end', '#if($a) #ending #end'],
  ])('accepts %s', (_name, text) => {
    expect(() => checkBlockDirectives('t', text)).not.toThrow();
  });

  test.each([
    ['an unclosed #foreach', 'a\n#foreach($r in $rs)\n$r\n', 2, '#foreach has no #end'],
    ['an unclosed #if inside a closed #foreach', '#foreach($r in $rs)\n#if($r)\n#end', 1, '#foreach has no #end'],
    ['a stray #end', '{\n"a": 1\n#end\n}', 3, '#end closes no block'],
    ['a stray #{end}', 'x #{end}', 1, '#end closes no block'],
    ['an #end after a backslash pair', '\\\\#end', 1, '#end closes no block'],
  ])('rejects %s, naming template and line', (_name, text, line, detail) => {
    expect(() => checkBlockDirectives('put-records', text)).toThrow(
      new MappingTemplateSyntaxError('put-records', line, detail),
    );
    try {
      checkBlockDirectives('put-records', text);
    } catch (error) {
      expect(error).toMatchObject({ templateName: 'put-records', line, detail });
    }
  });
});
