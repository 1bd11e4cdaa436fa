#version 330 core
// Two images mixed: uA where uMix is 0, uB where it is 1 (switchTOP's
// blend between neighbouring inputs, crossTOP's cross). Each is sampled
// over the whole output, so an input of another size is stretched to it;
// EXACT: both have the output's size and are read texel by texel.
in vec2 vUV;
uniform sampler2D uA, uB;
uniform float uMix;
out vec4 fragColor;
void main() {
#ifdef EXACT
    fragColor = mix(TEXEL(uA), TEXEL(uB), uMix);
#else
    fragColor = mix(texture(uA, vUV), texture(uB, vUV), uMix);
#endif
}
